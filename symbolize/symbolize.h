/* SPDX-License-Identifier: MIT */
/*
 * symbolize/symbolize.h - names for addresses: user code through elfutils'
 * libdwfl (ELF symbol tables, separate debuginfo), kernel code through
 * /proc/kallsyms. Each module is opened once and each (module, offset) is
 * resolved once; it never touches perf events or the target process.
 *
 * Ownership: strings in a struct sym are borrowed from the symbolizer and
 * live until symbolizer_free(). A struct kallsyms is owned by its caller.
 */
#ifndef SCORCH_SYMBOLIZE_H
#define SCORCH_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct scorch_err;
struct symbolizer;
struct kallsyms;
struct perfmap;

/* What an address resolved to. */
struct sym {
	const char *name;   /* function, or "[module+0xOFF]" when not named */
	const char *module; /* module base name ("libc.so.6", "[kernel]") */
	/*
	 * Where the function (or the inlined function) is defined, from the
	 * debug info (DW_AT_decl_file/line, through the abstract origin of an
	 * inlined call): the file name as the DWARF has it (absolute, or
	 * relative to the compile directory when built with a relative or
	 * remapped path), "" and 0 when not known.
	 */
	const char *file;
	uint32_t line;
	/*
	 * The line the address is on in this frame's function: for the
	 * innermost frame the line table's, for a frame with an inlined call
	 * below it that call's line (DW_AT_call_line); 0 when not known.
	 */
	uint32_t src_line;
	bool named;   /* false when name is the [module+0xOFF] fallback */
	bool inlined; /* an inlined call, not a function of its own */
};

/* Most frames one address yields: its function and the calls inlined in it. */
#define SYM_MAX_CHAIN 16

struct symbolizer_opts {
	const char *kallsyms_path; /* default "/proc/kallsyms" */
	/*
	 * Where separate debug files are looked for, libdwfl's syntax
	 * (":.debug:/usr/lib/debug", its default when NULL): beside the
	 * binary, in its .debug/, and under each absolute directory by
	 * build-id (DIR/.build-id/xx/rest.debug) and by path. debuginfod is
	 * asked last, only when DEBUGINFOD_URLS is set.
	 */
	const char *debuginfo_path;
	bool no_demangle; /* keep C++/Rust names mangled */
	/*
	 * Name a function by its DWARF name, as binutils' addr2line does
	 * (__GI___qsort_r), rather than by its symbol, as perf and profiles
	 * do (qsort_r; the default).
	 */
	bool dwarf_names;
	bool no_inline; /* name only the function, not inlined calls */
};

/* symbolizer.c */
struct symbolizer *symbolizer_new(const struct symbolizer_opts *opts);
void symbolizer_free(struct symbolizer *sy);

/*
 * Name the code at file offset file_off of the module at path ("[vdso]"
 * for the kernel's vDSO). For a return address, pass the offset of the call
 * (return address - 1). Fills out[0] with the function and, where its
 * debug info says the code was inlined, out[1..] with the inlined calls,
 * outermost first (at most max, at most SYM_MAX_CHAIN); returns how many.
 * Never fails: an unnamed address gets the "[module+0xOFF]" fallback and a
 * module that cannot be read is reported once through symbolizer_warnings().
 */
size_t symbolizer_user(struct symbolizer *sy, const char *path,
		       uint64_t file_off, struct sym *out, size_t max);
/*
 * A module the caller has opened: a recording opens each file while the
 * process maps it (through /proc/PID/map_files or /proc/PID/root), so a
 * binary deleted or replaced since, or one in another mount namespace, is
 * still the file the process ran. id tells modules apart (two files may
 * share a path); path names the frames and guides the debuginfo search.
 */
struct sym_module {
	uint64_t id;
	const char *path;
	int fd; /* borrowed (duplicated when read); -1: open path */
	/* borrowed: the process's root directory when it is not ours (a
	 * container's), where debug files are looked for first; or -1 */
	int root_fd;
	const char *unreadable; /* if not NULL, why the file cannot be read:
				   its frames stay [module+0xOFF] */
};

/*
 * The GNU build ID of the module the caller opened, as lowercase hex into
 * hex (at least 129 bytes); "" when it has none or cannot be read.
 */
void symbolizer_module_build_id(struct symbolizer *sy,
				const struct sym_module *sm, char *hex);
/* symbolizer_user() for a module the caller opened. */
size_t symbolizer_module_user(struct symbolizer *sy,
			      const struct sym_module *sm, uint64_t file_off,
			      struct sym *out, size_t max);
/*
 * Open the module at path now (it is opened once either way): 0, or -1
 * with err saying why it cannot be read (its frames would stay unnamed).
 */
int symbolizer_open(struct symbolizer *sy, const char *path,
		    struct scorch_err *err);
/*
 * The same as symbolizer_user() for an ELF virtual address of the file at path (what addr2line
 * takes), for files that are not mapped in a process. Cached apart from
 * symbolizer_user()'s offsets.
 */
size_t symbolizer_elf(struct symbolizer *sy, const char *path, uint64_t vaddr,
		      struct sym *out, size_t max);
/*
 * Name JIT code of process pid from its perf map (/tmp/perf-PID.map, read
 * once per process). Returns false when there is no map or no entry for
 * addr; out is then left alone.
 */
bool symbolizer_jit(struct symbolizer *sy, int pid, uint64_t addr,
		    struct sym *out);
/* Name a kernel address (same rules; "[kernel]" if kallsyms is hidden). */
void symbolizer_kernel(struct symbolizer *sy, uint64_t addr, struct sym *out);
/* One line per problem met (a module that could not be read, hidden
 * kernel addresses), in order; borrowed. */
size_t symbolizer_nwarnings(const struct symbolizer *sy);
const char *symbolizer_warning(const struct symbolizer *sy, size_t idx);

/* kallsyms.c */
/*
 * Parse one /proc/kallsyms line ("ffffffff81000000 T _stext [mod]").
 * Returns 1 for a text symbol (addr, name and module filled, pointing into
 * line; module "" for the core kernel), 0 for a line to skip, -1 if
 * malformed.
 */
int kallsyms_parse_line(char *line, uint64_t *addr, const char **name,
			const char **module);
/* Load and sort the text symbols of a kallsyms file; NULL with err. */
struct kallsyms *kallsyms_load(const char *path, struct scorch_err *err);
void kallsyms_free(struct kallsyms *ks);
/* True when every address reads as zero (kernel.kptr_restrict). */
bool kallsyms_hidden(const struct kallsyms *ks);
/* The symbol containing addr, or NULL; *module is "" for the core kernel. */
const char *kallsyms_find(const struct kallsyms *ks, uint64_t addr,
			  const char **module, uint64_t *sym_off);

/* demangle.c */
/*
 * A readable name for symbol name (caller frees): the symbol version
 * ("@@GLIBC_2.34") dropped and, if demangle, C++ and Rust names demangled.
 * Never NULL; a name that is not mangled comes back as it was.
 */
char *demangle_name(const char *name, bool demangle);

/* perfmap.c */
/* Parse "START SIZE name" (hex); 0, or -1 for a malformed line. */
int perfmap_parse_line(char *line, uint64_t *start, uint64_t *size,
		       const char **name);
/* Load a perf map file (never through a symlink); NULL with err. */
struct perfmap *perfmap_load(const char *path, struct scorch_err *err);
void perfmap_free(struct perfmap *pm);
/* The name of the code object holding addr, or NULL (borrowed). */
const char *perfmap_find(const struct perfmap *pm, uint64_t addr);

#endif
