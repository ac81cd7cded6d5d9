/*
 * The simdjson front-end's C interface (lib/codec/simd.cpp, the only C++ of libasff). It reads one
 * JSON value that the boundary scanner (fast.c) delimited and replays it as the same events yajl
 * would give the builder (parser.c's callbacks). No C++ type crosses this header.
 */
#ifndef ASFF_CODEC_SIMD_H
#define ASFF_CODEC_SIMD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Projection (docs/codec.md): a member's value (not null) that the builder leaves unbuilt. The
 * walker checks it against the model itself, without an event per token, and gives the finding up
 * (ASFF__SIMD_UNSURE) on anything it does not accept, so that the yajl path reports it. */
typedef struct asff__simd_dry {
    const void *member;     /* the asff_member whose value it is */
    size_t depth_left;      /* containers that may open (the value's own included) */
    size_t max_members;     /* members, keys or items in one container */
    size_t max_string;      /* bytes of a string or member name */
} asff__simd_dry;

/* The type of a member's value that the member event is told. */
enum { ASFF__SIMD_T_OBJECT, ASFF__SIMD_T_ARRAY, ASFF__SIMD_T_STRING, ASFF__SIMD_T_NUMBER, ASFF__SIMD_T_BOOL };

/* The events, with yajl's callback shapes; each returns nonzero to go on. */
typedef struct asff__simd_events {
    int (*null_value)(void *ctx);
    int (*boolean)(void *ctx, int b);
    int (*number)(void *ctx, const char *s, size_t len);  /* the number's text as written */
    int (*string)(void *ctx, const unsigned char *s, size_t len);
    int (*start_map)(void *ctx); /* 2: the object projects (its members through member) */
    int (*map_key)(void *ctx, const unsigned char *s, size_t len);
    int (*end_map)(void *ctx);
    int (*start_array)(void *ctx);
    int (*end_array)(void *ctx);
    /* Instead of map_key for the members of an object whose start_map said 2: the
     * member name s[len] and the type of its value (ASFF__SIMD_T_*, -1 for null). 2: the walker
     * checks the value itself (d filled) and gives no event for it; 1: replay the value as
     * events; 0: stop. */
    int (*member)(void *ctx, const unsigned char *s, size_t len, int type, asff__simd_dry *d);
    /* The member named s[len] of the asff_type type, or NULL. */
    const void *(*dry_member)(void *ctx, const void *type, const char *s, size_t len);
} asff__simd_events;

/* Bytes that simdjson may read past the end of the value (its padding). */
#define ASFF__SIMD_PADDING 64u

typedef struct asff__simd asff__simd;

/* NULL when out of memory. */
asff__simd *asff__simd_new(void);
void asff__simd_free(asff__simd *s);

enum {
    ASFF__SIMD_OK = 1,       /* every event given, each returned nonzero */
    ASFF__SIMD_STOPPED = 0,  /* an event returned zero */
    ASFF__SIMD_UNSURE = -1   /* simdjson refused the bytes or cannot tell: the yajl path decides */
};

/* asff__simd_walk's flags. WHOLE: json[0, len) was not delimited by the boundary scanner (a line
 * of NDJSON, fast.c): it must hold one object and nothing after it, checked before the last event
 * (end_map, which delivers a finding); control characters in strings are refused by simdjson's
 * stage 1 and \u escapes of U+0000 or surrogates by the walker, as the scanner would. */
#define ASFF__SIMD_WHOLE 1u
/* AGAIN: json is the value of the last call, whose walk reached its end (every member read): read it
 * again from its start without simdjson's first stage (fast.c: a finding built whole after a
 * projected read). */
#define ASFF__SIMD_AGAIN 4u

/* Replay the object or array in json[0, len) (cap >= len + ASFF__SIMD_PADDING readable bytes). */
int asff__simd_walk(asff__simd *s, const unsigned char *json, size_t len, size_t cap, unsigned flags,
                    const asff__simd_events *ev, void *ctx);

/* The simdjson version compiled in ("3.0.1"). */
const char *asff__simd_version(void);

#ifdef __cplusplus
}
#endif

#endif
