/* SPDX-License-Identifier: MIT */
/* tests/unit/test_common.c - common/atomic.c: why a write failed, new files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/common.h"

/* A stream on /dev/full keeps ENOSPC, which stdio's own would forget. */
static void
test_atomic_stream_keeps_errno(void **state)
{
	char buf[100000];
	int fd = open("/dev/full", O_WRONLY), err = -1;
	FILE *fp;

	(void)state;
	if (fd < 0)
		skip();
	fp = atomic_stream(fd, true, &err);
	assert_non_null(fp);
	assert_int_equal(err, 0);
	memset(buf, 'x', sizeof(buf));
	fwrite(buf, 1, sizeof(buf), fp);
	errno = 0;
	fflush(fp);
	assert_true(ferror(fp));
	assert_int_equal(err, ENOSPC);
	fclose(fp);
}

/* A stream that writes: all of it arrives, and fclose keeps the fd open
 * when the stream does not own it. */
static void
test_atomic_stream_writes(void **state)
{
	char path[] = "/tmp/scorch-test-XXXXXX", got[16] = { 0 };
	int fd = mkstemp(path), err = -1;
	FILE *fp;

	(void)state;
	assert_true(fd >= 0);
	fp = atomic_stream(fd, false, &err);
	assert_non_null(fp);
	fputs("hello", fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(err, 0);
	assert_int_equal(pread(fd, got, sizeof(got) - 1, 0), 5);
	assert_string_equal(got, "hello");
	close(fd);
	unlink(path);
}

/* atomic_open_new: a new private file; commit keeps it, abort removes. */
static void
test_atomic_open_new(void **state)
{
	char dir[] = "/tmp/scorch-test-XXXXXX";
	struct atomic_file af;
	struct scorch_err err;
	struct stat st;
	char *kept;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(atomic_open_new(&af, dir, "rec-", ".json", &err), 0);
	kept = xstrdup(af.path);
	assert_int_equal(strncmp(kept, dir, strlen(dir)), 0);
	assert_non_null(strstr(kept, "/rec-"));
	assert_string_equal(kept + strlen(kept) - 5, ".json");
	af.durable = true;
	fputs("{}\n", af.fp);
	assert_int_equal(atomic_commit(&af, &err), 0);
	assert_int_equal(stat(kept, &st), 0);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(st.st_mode & 0777, 0600);
	unlink(kept);
	free(kept);

	assert_int_equal(atomic_open_new(&af, dir, "rec-", ".json", &err), 0);
	kept = xstrdup(af.path);
	atomic_abort(&af);
	assert_int_equal(access(kept, F_OK), -1);
	free(kept);
	rmdir(dir);

	/* A directory that is not there: an error naming it. */
	assert_int_equal(atomic_open_new(&af, "/nonexistent-scorch", "rec-",
					 ".json", &err),
			 -1);
	assert_non_null(strstr(err.msg, "/nonexistent-scorch: cannot create "
					"output file: No such file"));
}

/* A commit onto /dev/full fails with the reason, not "Input/output". */
static void
test_atomic_commit_says_why(void **state)
{
	struct atomic_file af;
	struct scorch_err err;
	char buf[100000];

	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	assert_int_equal(atomic_open(&af, "/dev/full", &err), 0);
	memset(buf, 'x', sizeof(buf));
	fwrite(buf, 1, sizeof(buf), af.fp);
	assert_int_equal(atomic_commit(&af, &err), -1);
	assert_string_equal(err.msg, "/dev/full: cannot write output file: "
				     "No space left on device");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atomic_stream_keeps_errno),
		cmocka_unit_test(test_atomic_stream_writes),
		cmocka_unit_test(test_atomic_open_new),
		cmocka_unit_test(test_atomic_commit_says_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
