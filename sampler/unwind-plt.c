/* SPDX-License-Identifier: MIT */
/*
 * sampler/unwind-plt.c - where the caller is when a sample lands in a PLT
 * stub that has no CFI.
 *
 * GNU ld describes .plt in .eh_frame (a CFA expression), so libdw's CFI
 * covers it there. LLD emits no CFI for its PLT sections, nor does a
 * static glibc program for the IRELATIVE stubs of its .plt (.iplt): a
 * sample in one (memcpy@plt) lost its caller, and the stack read
 * "prog;[unknown];memcpy@plt". A stub only moves the stack pointer by
 * the pushes it executes: at entry the return address is at the stack
 * pointer (the CFA is rsp + 8); the lazy-binding path pushes the entry's
 * index (rsp + 16), and the header (PLT0) pushes the link map after it
 * (rsp + 24), so the header starts with the index already pushed. An LLD
 * retpoline stub calls its thunk (one more slot) before it returns into
 * the target. The stack depth at an address is the pushes and calls of
 * the instructions before it in its entry, decoded from the section's
 * bytes; an instruction this decoder does not know stops it, with the
 * depth so far.
 */
#include <gelf.h>
#include <string.h>

#include "internal.h"

/* A PLT section by name: ".plt", ".plt.sec", ".plt.got", ".iplt". */
static bool
plt_name(const char *name)
{
	return name && (!strcmp(name, ".iplt") || !strncmp(name, ".plt", 4)) &&
	       (name[4] == '\0' || name[4] == '.');
}

/* Are the bytes of s at off those of m (len of them)? */
static bool
plt_at(const struct plt_section *s, uint64_t off, const char *m, size_t len)
{
	return off <= s->size && s->size - off >= len &&
	       !memcmp(s->code + off, m, len);
}

/*
 * Where a section's entries are: 16 bytes each (unless the section says:
 * GNU's .plt.got has 8), after a header (PLT0) when the section starts
 * with one: the lazy header pushes the link map (after an endbr64), one
 * entry long; LLD's retpoline header is its thunk (a call), 32 bytes, and
 * its lazy form pushes, loads %r11 and calls the thunk, 48 bytes with
 * entries of 32.
 */
void
plt_section_init(struct plt_section *p, uint64_t start, const uint8_t *code,
		 uint64_t size, uint64_t sh_entsize)
{
	uint64_t h;

	p->start = start;
	p->size = size;
	p->code = code;
	h = plt_at(p, 0, "\xf3\x0f\x1e\xfa", 4) ? 4 : 0;

	p->entsize =
		sh_entsize >= 8 && sh_entsize <= 64 ? (uint32_t)sh_entsize : 16;
	p->header = 0;
	p->lazy = plt_at(p, h, "\xff\x35", 2);
	if (p->lazy && plt_at(p, h + 6, "\x4c\x8b\x1d", 3)) {
		p->header = 48;
		p->entsize = 32;
	} else if (plt_at(p, 0, "\xe8", 1)) {
		p->header = 32;
	} else if (p->lazy) {
		p->header = p->entsize;
	}
}

size_t
plt_sections(Elf *elf, struct plt_section *out, size_t max)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx, n = 0;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return 0;
	while (n < max && (scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR) || !sh.sh_size ||
		    !plt_name(elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf || data->d_size < sh.sh_size)
			continue;
		plt_section_init(&out[n], sh.sh_addr, data->d_buf, sh.sh_size,
				 sh.sh_entsize);
		n++;
	}
	return n;
}

/* The length of a ModRM operand (the ModRM byte and what follows it). */
static size_t
plt_modrm_len(const uint8_t *c, size_t avail)
{
	unsigned mod, rm;
	size_t len = 1;

	if (!avail)
		return 0;
	mod = c[0] >> 6;
	rm = c[0] & 7;
	if (mod != 3 && rm == 4)
		len++; /* SIB */
	if (mod == 1)
		len += 1;
	else if (mod == 2 || (mod == 0 && rm == 5))
		len += 4;
	return len <= avail ? len : 0;
}

/*
 * One instruction of a stub at c (avail bytes): its length, and in *push
 * the bytes it pushes (a push or a call); 0 for one this does not know.
 */
static size_t
plt_insn(const uint8_t *c, size_t avail, unsigned *push)
{
	size_t i = 0, m;

	*push = 0;
	/* prefixes: operand size (nops), bnd (IBT's jumps) */
	while (i < avail && (c[i] == 0x66 || c[i] == 0xf2))
		i++;
	if (i >= avail)
		return 0;
	avail -= i;
	c += i;
	if (avail >= 4 && !memcmp(c, "\xf3\x0f\x1e\xfa", 4))
		return i + 4; /* endbr64 */
	if (avail >= 2 && c[0] == 0xf3 && c[1] == 0x90)
		return i + 2; /* pause */
	if (avail >= 3 && !memcmp(c, "\x0f\xae\xe8", 3))
		return i + 3; /* lfence */
	if (avail >= 2 && c[0] == 0x0f && c[1] == 0x1f) {
		m = plt_modrm_len(c + 2, avail - 2); /* nop r/m */
		return m ? i + 2 + m : 0;
	}
	if (avail >= 6 && c[0] == 0xff && (c[1] == 0x25 || c[1] == 0x35)) {
		*push = c[1] == 0x35 ? 8 : 0; /* jmp / push *X(%rip) */
		return i + 6;
	}
	if (avail >= 3 && c[0] == 0x4c && (c[1] == 0x8b || c[1] == 0x89)) {
		m = plt_modrm_len(c + 2, avail - 2); /* mov %r11 <-> r/m */
		return m ? i + 2 + m : 0;
	}
	/* push imm32; jmp; and call, which in a PLT is a retpoline's jump:
	 * its thunk returns into the target, not after the call */
	if (avail >= 5 && (c[0] == 0x68 || c[0] == 0xe8 || c[0] == 0xe9)) {
		*push = c[0] == 0x68 ? 8 : 0;
		return i + 5;
	}
	if (avail >= 2 && c[0] == 0xeb)
		return i + 2; /* jmp rel8 */
	if (c[0] == 0x90 || c[0] == 0xcc || c[0] == 0xc3)
		return i + 1; /* nop, int3, ret */
	return 0;
}

int
plt_cfa_offset(const struct plt_section *s, uint64_t pc)
{
	uint64_t off, entry, i;
	unsigned depth = 0, push;

	if (pc < s->start || pc - s->start >= s->size)
		return -1;
	off = pc - s->start;
	/* A retpoline thunk's "mov %r11, (%rsp); ret": called from an entry,
	 * the call's slot is above the caller's return address. */
	if (plt_at(s, off, "\x4c\x89\x1c\x24", 4) ||
	    (off >= 4 && plt_at(s, off, "\xc3", 1) &&
	     plt_at(s, off - 4, "\x4c\x89\x1c\x24", 4)))
		return 16;
	if (off < s->header)
		entry = 0;
	else
		entry = off - (off - s->header) % s->entsize;
	/* The lazy header pushes the link map first: the entry that jumped
	 * to it pushed its index already. */
	if (entry == 0 && s->lazy)
		depth = 8;
	for (i = entry; i < off;) {
		size_t len = plt_insn(s->code + i, s->size - i, &push);

		if (!len)
			break;
		depth += push;
		i += len;
	}
	return (int)(8 + depth);
}
