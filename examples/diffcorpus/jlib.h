/* SPDX-License-Identifier: MIT */
/* examples/diffcorpus/jlib.h - libdcshared.so, the library of class j. */
#ifndef DIFFCORPUS_JLIB_H
#define DIFFCORPUS_JLIB_H

void lib_transform(void);
void lib_helper(void);

#endif
