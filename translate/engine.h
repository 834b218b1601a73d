/* SPDX-License-Identifier: MIT */
/* engine.h: what an execution engine (the JIT backend or the IR interpreter) provides. */
#ifndef KILN_TRANSLATE_ENGINE_H
#define KILN_TRANSLATE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include "translate/ir.h"
#include "translate/tlb.h"

struct tb;

/*
 * How the engines see the guest: where the soft TLB sits inside env, the slow
 * paths for memory, and how to find the next block for GOTO_PTR. Set once by
 * the guest (cpu/) per vCPU type; nothing here is x86.
 */
struct engine_guest {
    size_t tlb_offset;                 /* offsetof(env, struct tlb) */
    struct tlb_slow_ops slow;
    /* Finds the translated block for the guest state in env (after GOTO_PTR or
       a chained exit), or NULL when the CPU loop must decide (interrupt
       pending, untranslated code, exit requested). Must not translate. */
    struct tb *(*lookup)(void *env);
    /* Offset in env of a 32-bit "exit request" flag: when non-zero, chained
       execution returns to the loop at the next block boundary. */
    size_t exit_request_offset;
    /* Indirect-branch jump cache (tb.h, struct tb_jc), probed inline by the
       JIT at GOTO_PTR before it calls lookup: jc_offset is the offset in env
       of a `struct tb_jc *`, key word k (< jc_nkeys) is the env field at
       jc_key_offset[k], jc_key_width[k] (32 or 64) bits, zero-extended; key
       words from jc_nkeys on are 0. jc_nkeys == 0: no jump cache. Whatever
       lookup returns for a state must be what the cache holds for its key. */
    unsigned jc_nkeys;
    size_t jc_offset;
    size_t jc_key_offset[3];
    unsigned jc_key_width[3];
};

/*
 * The value returned by running blocks: the last block that ran, plus in the
 * low 2 bits how it left. (A front end that needs to tell the loop why it
 * EXITed writes the reason into env first; EXIT's aux is only shown in dumps.)
 */
#define TB_EXIT_SLOT0 0u     /* left through GOTO_TB slot 0 (not chained yet) */
#define TB_EXIT_SLOT1 1u     /* left through GOTO_TB slot 1 (not chained yet) */
#define TB_EXIT_NOCHAIN 2u   /* GOTO_PTR found nothing, or an EXIT op */
#define TB_EXIT_REQUESTED 3u /* the exit-request flag was set */
#define TB_EXIT_MASK 3u

struct engine {
    const char *name;
    const struct engine_guest *guest;
    /* Turns the (optimized) block into something exec can run; false when out
       of code space (the caller flushes the whole cache and retries). */
    bool (*compile)(struct engine *e, struct tb *tb, const struct ir_block *b);
    /* Runs tb and whatever it chains to; returns (last tb | TB_EXIT_*). */
    uintptr_t (*exec)(struct engine *e, void *env, struct tb *tb);
    /* Patches from's slot to jump straight to to (to == NULL: unpatch). */
    void (*link)(struct engine *e, struct tb *from, unsigned slot, struct tb *to);
    /* Frees what compile attached to tb (tb->code, tb->engine_data). */
    void (*release)(struct engine *e, struct tb *tb);
    /* Forgets all compiled code (after a whole-cache flush). */
    void (*reset)(struct engine *e);
    /* Which guest instruction is running, for a guest slow path that must
       recover state the front end did not store eagerly (docs/JIT.md,
       "Instruction markers"). host_ra is the slow path's return address
       (__builtin_return_address(0) in the function the engine called). When
       that call is an LD/ST slow path of a block compiled by this engine, sets
       *word to the aux of the last INSN_START before that LD/ST and returns
       true; otherwise (no INSN_START before it, or host_ra is not such a call
       site) returns false. The interpreter ignores host_ra and answers for the
       LD/ST whose slow path it is calling. */
    bool (*insn_at)(struct engine *e, uintptr_t host_ra, uint64_t *word);
    /* Frees the engine. */
    void (*destroy)(struct engine *e);
    void *priv;
};

/* The portable IR interpreter (always built). */
struct engine *engine_interp_new(const struct engine_guest *guest);
/* The x86-64 JIT backend; NULL when the host is not x86-64 or mmap fails. */
struct engine *engine_x86_64_new(const struct engine_guest *guest, size_t code_size);

#endif
