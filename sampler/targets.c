/* SPDX-License-Identifier: MIT */
/* sampler/targets.c - the processes to record: listed pids and the launched command. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/common.h"
#include "internal.h"

/* ---- targets ----------------------------------------------------------- */

void
sampler_add_cmdline(struct sampler *s, pid_t pid)
{
	char path[64], buf[4096];
	ssize_t n, i;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	if (s->cmdlines.len)
		strbuf_addstr(&s->cmdlines, "; ");
	strbuf_addstr(&s->cmdlines, buf);
}

static int
pidfd_open_compat(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

void
sampler_watch_pid(struct sampler *s, pid_t pid)
{
	s->pids = xreallocarray(s->pids, s->npids + 1, sizeof(*s->pids));
	s->pidfds = xreallocarray(s->pidfds, s->npids + 1, sizeof(*s->pidfds));
	s->pids[s->npids] = pid;
	s->pidfds[s->npids] = pidfd_open_compat(pid);
	if (s->pidfds[s->npids] >= 0)
		fcntl(s->pidfds[s->npids], F_SETFD, FD_CLOEXEC);
	s->npids++;
}

/* Check that pid names a process we can attach to. */
int
sampler_check_pid(pid_t pid, struct scorch_err *err)
{
	char path[64], line[256];
	long tgid = -1;
	FILE *fp;

	if (pid <= 0) {
		err_set(err, "pid %d: not a valid process id", (int)pid);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fp = fopen(path, "re");
	if (!fp) {
		err_set(err, "pid %d: no such process", (int)pid);
		return -ESRCH;
	}
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "Tgid: %ld", &tgid) == 1)
			break;
	fclose(fp);
	if (tgid > 0 && tgid != pid) {
		err_set(err, "pid %d: is a thread of process %ld; use -p %ld",
			(int)pid, tgid, tgid);
		return -EINVAL;
	}
	if (pid == getpid()) {
		err_set(err, "pid %d: is scorch itself", (int)pid);
		return -EINVAL;
	}
	return 0;
}

/*
 * Start the command stopped at a pipe, so events can be opened on it before
 * it runs a single instruction of its own. *go is the write end that lets it
 * continue; *status_fd reports an exec failure (EOF means exec worked).
 */
pid_t
sampler_fork_command(char *const *argv, int *go, int *status_fd,
		     struct scorch_err *err)
{
	int gopipe[2], errpipe[2];
	pid_t pid;

	if (pipe2(gopipe, O_CLOEXEC) < 0 || pipe2(errpipe, O_CLOEXEC) < 0) {
		err_set(err, "%s: cannot start: %s", argv[0], strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		err_set(err, "%s: cannot start: %s", argv[0], strerror(errno));
		close(gopipe[0]);
		close(gopipe[1]);
		close(errpipe[0]);
		close(errpipe[1]);
		return -1;
	}
	if (pid == 0) {
		char c;
		int e;

		close(gopipe[1]);
		close(errpipe[0]);
		if (read(gopipe[0], &c, 1) != 1)
			_exit(127); /* scorch gave up before starting us */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		e = errno;
		if (write(errpipe[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(gopipe[0]);
	close(errpipe[1]);
	*go = gopipe[1];
	*status_fd = errpipe[0];
	return pid;
}

/* True once every listed target (and the command) has exited. */
bool
sampler_targets_gone(struct sampler *s, struct pollfd *pfd, size_t base)
{
	size_t i, alive = 0;

	for (i = 0; i < s->npids; i++) {
		if (s->pidfds[i] >= 0 && pfd &&
		    (pfd[base + i].revents & (POLLIN | POLLHUP))) {
			close(s->pidfds[i]);
			s->pidfds[i] = -2;
		}
		if (s->pidfds[i] == -1 && kill(s->pids[i], 0) < 0 &&
		    errno == ESRCH)
			s->pidfds[i] = -2; /* no pidfd: polled by kill() */
		if (s->pidfds[i] != -2)
			alive++;
	}
	return s->npids > 0 && alive == 0;
}
