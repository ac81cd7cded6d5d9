/* One rule for human-facing text (asff_error.message, the asff tool's reports and messages):
 * bytes that came from a finding or a server never reach a terminal or a log raw. Internal. */
#ifndef ASFF_CORE_TEXT_H
#define ASFF_CORE_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Escape s[len] for display into out[size] (NUL-terminated, size > 0; returns the bytes written):
 *  - \n, \r, \t for those three; other C0 controls and DEL as \xNN;
 *  - C1 controls (U+0080-U+009F), the bidirectional controls (U+061C, U+200E, U+200F,
 *    U+202A-U+202E, U+2066-U+2069) and the line/paragraph separators U+2028/U+2029 as \uXXXX;
 *  - each byte that is not part of valid UTF-8 (RFC 3629: no overlongs, no surrogates, nothing
 *    above U+10FFFF) as \xNN.
 * Everything else is copied. When the escaped text does not fit, it is cut at a character boundary
 * and ends with "..." (all within size - 1 bytes). A backslash is copied as it is: the rule is about
 * what the text can do to a terminal, not about reversibility.
 */
size_t asff__text_escape(char *out, size_t size, const char *s, size_t len);

/* asff__text_escape of a NUL-terminated string (NULL gives ""); returns out. */
const char *asff__text_show(char *out, size_t size, const char *s);

/* vsnprintf, then asff__text_escape, into out[size]: a message that quotes input is safe to print.
 * A message longer than the internal buffer ends with "...". */
size_t asff__text_vformat(char *out, size_t size, const char *fmt, va_list ap);

/* The code point at s[0, len) in *cp and its length in bytes; 0 when s does not start with valid
 * UTF-8 (RFC 3629). len > 0. */
size_t asff__text_char(const char *s, size_t len, unsigned long *cp);

/* True for the code points asff__text_escape writes as \uXXXX (C1, bidi controls, separators). */
bool asff__text_escaped_cp(unsigned long cp);

/* True when s[len] holds nothing asff__text_escape would escape (no control byte, no C1, no bidi
 * control, valid UTF-8). */
bool asff__text_is_clean(const char *s, size_t len);

#endif
