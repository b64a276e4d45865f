/* SPDX-License-Identifier: MIT */
/* sampler/tasks.c - which processes are targets, and task names. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/common.h"
#include "internal.h"

/*
 * Names change two ways: a rename (prctl, pthread_setname_np) names the
 * task's samples before and after it alike, and an exec starts a new image
 * whose name is not the one the samples before it ran under. Only the
 * exec'ing task's own name changes at an exec (the kernel makes it the
 * process's main thread; the other threads are gone), so the name of each
 * earlier image of a process is kept under (image << 32 | pid).
 */
struct task_table {
	struct intmap state; /* pid -> (enum task_state) */
	struct intmap names; /* tid -> char * (owned): the current name */
	struct intmap image; /* pid -> (uintptr_t) execs seen */
	struct intmap old;   /* image << 32 | pid -> char * (owned) */
	struct intmap seen;  /* tid -> (void *)1 once a sample was counted */
};

struct task_table *
task_table_new(void)
{
	struct task_table *t = xcalloc(1, sizeof(*t));

	intmap_init(&t->state);
	intmap_init(&t->names);
	intmap_init(&t->image);
	intmap_init(&t->old);
	intmap_init(&t->seen);
	return t;
}

void
task_table_free(struct task_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->names.nslots; i++)
		free(t->names.slots[i].value);
	for (i = 0; i < t->old.nslots; i++)
		free(t->old.slots[i].value);
	intmap_fini(&t->state);
	intmap_fini(&t->names);
	intmap_fini(&t->image);
	intmap_fini(&t->old);
	intmap_fini(&t->seen);
	free(t);
}

enum task_state
task_table_state(const struct task_table *t, pid_t pid)
{
	return (enum task_state)(uintptr_t)intmap_get(&t->state, (unsigned)pid);
}

void
task_table_set_state(struct task_table *t, pid_t pid, enum task_state st)
{
	intmap_put(&t->state, (unsigned)pid, (void *)(uintptr_t)st);
}

void
task_table_set_comm(struct task_table *t, pid_t pid, pid_t tid,
		    const char *comm)
{
	char *old = intmap_get(&t->names, (unsigned)tid);

	(void)pid;
	if (old && !strcmp(old, comm))
		return;
	intmap_put(&t->names, (unsigned)tid, xstrdup(comm));
	free(old);
}

const char *
task_table_comm(const struct task_table *t, pid_t tid)
{
	const char *s = intmap_get(&t->names, (unsigned)tid);

	return s ? s : "";
}

uint32_t
task_table_image(const struct task_table *t, pid_t pid)
{
	return (uint32_t)(uintptr_t)intmap_get(&t->image, (unsigned)pid);
}

void
task_table_exec(struct task_table *t, pid_t pid)
{
	uint32_t image = task_table_image(t, pid);
	unsigned long long key =
		((unsigned long long)image << 32) | (unsigned)pid;

	free(intmap_get(&t->old, key));
	intmap_put(&t->old, key, xstrdup(task_table_comm(t, pid)));
	intmap_put(&t->image, (unsigned)pid, (void *)(uintptr_t)(image + 1));
}

const char *
task_table_comm_at(const struct task_table *t, pid_t pid, pid_t tid,
		   uint32_t image)
{
	const char *s = NULL;

	if (tid == pid && image < task_table_image(t, pid))
		s = intmap_get(&t->old, ((unsigned long long)image << 32) |
						(unsigned)pid);
	return s ? s : task_table_comm(t, tid);
}

int
task_table_seen(struct task_table *t, pid_t pid, pid_t tid)
{
	/* Processes are keyed apart from threads by a bit above any pid. */
	unsigned long long pkey = (1ULL << 40) | (unsigned)pid;
	int flags = 0;

	if (!intmap_get(&t->seen, (unsigned)tid)) {
		intmap_put(&t->seen, (unsigned)tid, (void *)1);
		flags |= TASK_NEW_THREAD;
	}
	if (!intmap_get(&t->seen, pkey)) {
		intmap_put(&t->seen, pkey, (void *)1);
		flags |= TASK_NEW_PROCESS;
	}
	return flags;
}

static void
task_table_read_comm(struct task_table *t, pid_t pid, pid_t tid)
{
	char path[80], buf[64];
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid,
		 (int)tid);
	fp = fopen(path, "re");
	if (!fp)
		return;
	if (fgets(buf, sizeof(buf), fp)) {
		buf[strcspn(buf, "\n")] = '\0';
		task_table_set_comm(t, pid, tid, buf);
	}
	fclose(fp);
}

void
task_table_load_proc(struct task_table *t, pid_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *dir;

	task_table_read_comm(t, pid, pid);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir)))
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
			task_table_read_comm(t, pid, atoi(de->d_name));
	closedir(dir);
}
