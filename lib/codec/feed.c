/*
 * Feeding yajl and recovering (codec_internal.h, docs/codec.md skip_invalid and Limits): input is
 * checked ahead of yajl (complete UTF-8, surrogate escapes), split where a line may end its record,
 * held back while one token is long, and a broken top-level value is reported and left for the next
 * line under skip_invalid.
 */
#include <inttypes.h>
#include <string.h>
#include "codec_internal.h"

/* After an error that ends the current top-level value: may the stream go on at the next line
 * (skip_invalid over NDJSON)? at_line_end: the value is cut at the end of a line, which is a safe
 * place to resume in any value (an envelope too). */
static bool can_resync(const asff_parser *p, bool at_line_end)
{
    const frame *f = p->nframes ? &p->frames[0] : NULL;
    if (!p->opt.skip_invalid || !asff__codec_record_envelope(p))
        return false;
    if (!f || at_line_end)
        return true;
    if (f->kind == FK_OBJECT)
        return f->role == ROLE_FINDING || (f->role == ROLE_TOP && !f->switched);
    return f->kind == FK_SKIP && f->bad_item;
}

/* Errors from the callbacks that end a value without ending the stream (never NOMEM or ABORTED). */
static bool value_error(asff_status code)
{
    return asff__codec_skippable(code) || code == ASFF_ERR_ENVELOPE || code == ASFF_ERR_TRUNCATED;
}

/* Report the broken value as skipped (its length runs to its error at rend) and start over with
 * a new yajl handle. */
static asff_status resync(asff_parser *p, uint64_t epos, uint64_t rend)
{
    asff_error e = p->e;
    uint64_t col;
    /* The value's line was placed when it began: counted back from here, it could be further back
     * than the bytes kept (hist) when the value is long and the pieces small. */
    p->f_start = p->in_value ? p->value_start : epos;
    if (p->in_value)
        p->f_line = p->value_line;
    else
        asff__codec_line_col(p, p->f_start, &p->f_line, &col);
    asff__codec_build_path(p, &p->fpath, 0, true);
    p->nframes = 0;
    p->jdepth = 0;
    /* nothing accepted in the next value yet: no separator is due before its first token (a ':'
     * left from the broken value made yajl_failure pass over a bad ':' there, to where the piece
     * ended) */
    p->last_kind = 0;
    p->in_finding = p->in_unit = false;
    /* The scanners start over with the next value. */
    p->es = 0;
    p->ucarry_len = 0;
    p->nl_pending = false;
    p->stop_hit = false;
    if (!asff__codec_report_skipped(p, &e, true, rend))
        return p->st;
    asff__codec_value_end(p);
    yajl_free(p->y);
    p->y = asff__codec_new_yajl(p);
    yajl_gen_reset(p->cap, NULL);
    yajl_gen_clear(p->cap);
    p->fast_ready = p->fast_on; /* a new value starts: simdjson may read it */
    if (!p->y || p->ya.failed) {
        if (p->y)
            yajl_free(p->y);
        p->y = NULL;
        asff__codec_set_errorf(p, ASFF_ERR_NOMEM, epos, "out of memory");
        p->st = ASFF_ERR_NOMEM;
        return p->st;
    }
    return ASFF_OK;
}

static asff_status yajl_failure(asff_parser *p, uint64_t epos, bool at_end)
{
    unsigned char *msg = yajl_get_error(p->y, 0, NULL, 0);
    const char *m = msg ? (const char *)msg : "syntax error";
    size_t n = strlen(m);
    asff_status code = strstr(m, "UTF8") ? ASFF_ERR_UTF8 : ASFF_ERR_SYNTAX;
    if (at_end && strstr(m, "premature EOF"))
        code = ASFF_ERR_TRUNCATED;
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    if (!at_end && strncmp(m, "parse error", 11) == 0 && p->last_ok + sizeof p->hist >= p->pbase) {
        /* yajl's offset for a grammar error is only near the bad token (it subtracts the decoded
         * length from the token's end, within the current chunk). The bad token is the first one
         * after the last token yajl accepted, past the separator that was due there. */
        uint64_t t = p->last_ok, end = p->pbase + p->plen;
        char sep = p->last_kind == 1 ? ':' : (p->last_kind == 2 && p->jdepth) ? ',' : 0;
        while (t < end) {
            unsigned char ch = t >= p->pbase ? p->pdata[t - p->pbase] : p->hist[t % sizeof p->hist];
            if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
                t++;
            } else if (sep && ch == (unsigned char)sep) {
                sep = 0;
                t++;
            } else {
                break;
            }
        }
        epos = t;
    }
    if (code == ASFF_ERR_TRUNCATED)
        asff__codec_set_errorf(p, code, epos, "input ended inside a value");
    else
        asff__codec_set_errorf(p, code, epos, "%.*s", (int)(n > 200 ? 200 : n), m);
    if (msg)
        yajl_free_error(p->y, msg);
    p->st = code;
    return code;
}

/* ---- complete UTF-8 and \u escapes -------------------------------------------------------- */

/* A bad byte or escape at stream offset at: the value being read is invalid. Inside a finding that
 * is already being skipped, or outside any value (yajl refuses it there), nothing to do. */
static void bad_text(asff_parser *p, uint64_t at, bool escape)
{
    size_t i;
    if (!p->nframes)
        return;
    for (i = 0; i < p->nframes; i++)
        if (p->frames[i].kind == FK_SKIP && p->frames[i].bad_item)
            return;
    p->at_set = true;
    p->at = at;
    p->final_next = true; /* like yajl's own UTF-8 errors: the value cannot be read further */
    if (escape)
        asff__codec_fail(p, ASFF_ERR_UTF8, 0, "a \\u escape of a UTF-16 surrogate without its pair");
    else
        asff__codec_fail(p, ASFF_ERR_UTF8, 0, "invalid UTF-8 (RFC 3629: an overlong form, a surrogate, a code point above U+10FFFF "
                                  "or a broken sequence)");
}

/* ---- lines as records -------------------------------------------------------------------- */

/* The top-level value is cut at the newline at stream offset nl: report it at its own line. */
static asff_status cut_line(asff_parser *p, uint64_t nl)
{
    asff__codec_set_errorf(p, ASFF_ERR_TRUNCATED, nl, "the line ends inside a value (the next line starts another one)");
    p->st = ASFF_ERR_TRUNCATED;
    if (!can_resync(p, true))
        return p->st;
    p->st = ASFF_OK;
    if (resync(p, nl, nl) != ASFF_OK)
        return p->st;
    p->last_ok = nl + 1;
    return ASFF_OK;
}

#define NO_BAD UINT64_MAX
#define SCAN_WINDOW (16u * 1024u)
#define HOLD_AFTER 4096u /* see "long tokens" below */

static asff_status feed_piece(asff_parser *p, const unsigned char *d, size_t n)
{
    size_t off = 0, unext = 0, enext = 0, win = SCAN_WINDOW;
    uint64_t uat = NO_BAD, eat = NO_BAD;
    bool scanned = false;
    p->pdata = d;
    p->plen = n;
    p->pbase = p->total;
    p->pline = p->line;
    p->pline_start = p->line_start;
    if (p->skip_line) {
        const unsigned char *nl = memchr(d, '\n', n);
        if (!nl) {
            asff__codec_advance(p, p->pbase + n);
            asff__codec_keep_history(p, d, n);
            p->total += n;
            return ASFF_OK;
        }
        off = (size_t)(nl - d) + 1;
        p->skip_line = false;
        p->last_ok = p->pbase + off;
    }
    while (off < n) {
        yajl_status ys;
        uint64_t epos, sp, rend = NO_BAD;
        size_t rel, end, stop, ustop, wend;
        bool in_value, at_line_end = false, bad_here, nl_taken = false;
        if (p->nl_pending) {
            p->nl_pending = false;
            if (asff__codec_line_cut(p, d[off], p->pbase + off - 1)) {
                if (cut_line(p, p->pbase + off - 1) != ASFF_OK)
                    return p->st;
                scanned = false;
            }
        }
        if (p->fast_ready &&
            ((scanned && unext > off && enext > off) ||
             ((!scanned || (unext <= off && enext <= off && uat == NO_BAD && eat == NO_BAD)) && !p->ucarry_len && !p->es))) {
            /* simdjson reads what it can: up to the first bad byte the scanners found, or (not scanned
             * yet) anywhere, since it checks UTF-8 itself and leaves escapes to the yajl path */
            size_t lim = n, noff;
            if (scanned && uat != NO_BAD)
                lim = uat < p->pbase ? 0 : uat - p->pbase < lim ? (size_t)(uat - p->pbase) : lim;
            if (scanned && eat != NO_BAD)
                lim = eat < p->pbase ? 0 : eat - p->pbase < lim ? (size_t)(eat - p->pbase) : lim;
            noff = asff__codec_fast_run(p, d, off, lim, n);
            if (p->st != ASFF_OK)
                return p->st;
            if (noff != off) {
                if (!scanned || noff > unext || noff > enext) {
                    /* past what was scanned: the scanners start over after a complete value */
                    p->ucarry_len = 0;
                    p->es = 0;
                    scanned = false;
                }
                off = noff;
                continue;
            }
        }
        /* With simdjson the scanners look a window ahead (SCAN_WINDOW, then twice as far each time):
         * most of the piece is left to simdjson, which checks UTF-8 itself. Not inside a long token:
         * yajl would lex it again from its start at each window. */
        wend = p->fast_on && n - off > win && p->pbase + off - p->last_ok < HOLD_AFTER ? off + win : n;
        if (!scanned || unext < off || (uat == NO_BAD && unext == off)) {
            if (wend < n)
                win *= 2; /* yajl lexes a token cut by a window again: growing windows keep that linear */
            uat = NO_BAD;
            unext = asff__codec_scan_utf8(p, d, off, wend, &uat);
        }
        if (!scanned || enext < off || (eat == NO_BAD && enext == off)) {
            eat = NO_BAD;
            enext = asff__codec_scan_escapes(p, d, off, wend, &eat);
        }
        scanned = true;
        /* (a bad sequence may show only at the piece's end: uat / eat say whether there is one) */
        /* yajl gets the first byte of bad UTF-8 before it is reported: outside a string yajl refuses it
         * itself (a syntax error), also when the sequence is cut across feeds */
        ustop = uat == NO_BAD ? unext : uat == p->pbase + unext ? unext + 1 : unext;
        stop = ustop;
        if (enext < stop)
            stop = enext;
        bad_here = (uat != NO_BAD && stop == ustop) || (eat != NO_BAD && stop == enext);
        end = asff__codec_next_split(p, d, off, stop);
        sp = asff__codec_stop_point(p);
        if (sp <= p->pbase + off) {
            /* (reached between pieces: checked after each call below, so not expected here) */
            epos = p->pbase + off;
            goto stopped;
        }
        if (p->pbase + end > sp)
            end = (size_t)(sp - p->pbase); /* yajl reads up to the stop point, not past it */
        p->ybase = p->pbase + off;
        if (end == ustop && end > off && uat == p->pbase + end - 1 && asff__codec_is_vt_ff(d[end - 1])) {
            /* a vertical tab or form feed: yajl reads an invalid byte (0x01) in its place and reports
             * it as its own lexical error, at the same offset, inside a string or not */
            asff__buf_reset(&p->pad);
            if (asff__buf_append(&p->pad, d + off, end - off) != ASFF_OK) {
                asff__codec_set_errorf(p, ASFF_ERR_NOMEM, p->pbase + off, "out of memory");
                p->st = ASFF_ERR_NOMEM;
                return p->st;
            }
            p->pad.data[end - off - 1] = 0x01;
            ys = yajl_parse(p->y, (const unsigned char *)p->pad.data, end - off);
        } else {
            ys = yajl_parse(p->y, d + off, end - off);
        }
        if (p->ya.failed && p->st == ASFF_OK) {
            asff__codec_set_errorf(p, ASFF_ERR_NOMEM, asff__codec_pos_now(p), "out of memory");
            p->st = ASFF_ERR_NOMEM;
        }
        if (p->st != ASFF_OK) {
            /* A final error from a callback (a limit, an envelope): the value ends here. */
            if (!value_error(p->st) || !can_resync(p, p->line_mode))
                return p->st;
            nl_taken = p->stop_hit;
            epos = nl_taken ? p->stop_at : asff__codec_pos_now(p);
            in_value = p->in_value;
            goto recover;
        }
        if (ys == yajl_status_ok) {
            sp = asff__codec_stop_point(p);
            if (p->pbase + end >= sp) {
                /* the stop point reached with no token ending (the value goes on past it) */
                epos = sp;
                goto stopped;
            }
            p->last_nb = asff__codec_last_nonblank(p, d, off, end, &p->last_nb_at);
            if (end > off && d[end - 1] == '\n' && asff__codec_record_envelope(p) && p->nframes) {
                /* a line ended: does the next one start a value while this one is open? */
                if (end == n)
                    p->nl_pending = true;
                else if (asff__codec_line_cut(p, d[end], p->pbase + end - 1)) {
                    if (cut_line(p, p->pbase + end - 1) != ASFF_OK)
                        return p->st;
                    scanned = false;
                    off = end;
                    continue;
                }
            }
            if (end == stop && bad_here) {
                /* bad UTF-8 or a lone surrogate escape starts here */
                bool is_u = uat != NO_BAD && stop == ustop;
                uint64_t bat = is_u ? uat : eat;
                if (is_u)
                    uat = NO_BAD;
                else
                    eat = NO_BAD;
                bad_text(p, bat, !is_u);
                if (p->st != ASFF_OK) {
                    if (!can_resync(p, p->line_mode))
                        return p->st;
                    epos = bat;
                    in_value = p->in_value;
                    goto recover;
                }
                if (is_u && stop < n)
                    unext = asff__codec_scan_utf8(p, d, stop, n, &uat);
                else if (!is_u)
                    enext = asff__codec_scan_escapes(p, d, stop, n, &eat);
            }
            off = end;
            continue;
        }
        if (ys == yajl_status_client_canceled && p->fast_stop && p->st == ASFF_OK) {
            /* stopped between findings for the fast path: go on there with a handle in that state */
            size_t at = (size_t)(asff__codec_pos_now(p) - p->pbase);
            p->fast_stop = false;
            p->last_nb = asff__codec_last_nonblank(p, d, off, at, &p->last_nb_at);
            if (!asff__codec_fast_resume(p)) {
                asff__codec_set_errorf(p, ASFF_ERR_NOMEM, p->pbase + at, "out of memory");
                p->st = ASFF_ERR_NOMEM;
                return p->st;
            }
            off = at;
            continue;
        }
        if (ys == yajl_status_client_canceled)
            return p->st != ASFF_OK ? p->st : ASFF_ERR_INTERNAL;
        epos = asff__codec_pos_now(p);
        sp = asff__codec_stop_point(p);
        if (epos > sp || (epos == sp && epos > 0 && asff__codec_byte_at(p, epos - 1) == '\n')) {
            /* yajl needed input past the stop point to find this error (after a newline it stops
             * before the bad byte, which it has not read): cut there, the value stops first */
            epos = sp;
            goto stopped;
        }
        in_value = p->in_value;
        if (yajl_failure(p, epos, false) != ASFF_OK && !can_resync(p, p->line_mode))
            return p->st;
        /* yajl stops at the start of a token it refuses (a '/', a token out of place), so a newline
         * just before where it stopped is the broken line's only when the newline itself was the
         * bad byte: the end of a UTF-8 sequence in a string */
        nl_taken = p->e.code == ASFF_ERR_UTF8;
        /* the skipped value's length runs to the error's corrected offset: yajl's own position
         * after a grammar error depends on where the input was cut, inside the bad token or after */
        rend = p->e.offset;
        goto recover;
    stopped:
        nl_taken = true;
        in_value = p->in_value;
        (void)asff__codec_past_stop(p, sp);
        if (!can_resync(p, p->line_mode))
            return p->st;
    recover:
        if (rend == NO_BAD)
            rend = epos;
        /* Lines are records only in NDJSON: a value broken several lines after its start is a
         * broken document, not a broken record. */
        if (p->opt.envelope != ASFF_ENVELOPE_NDJSON && !p->line_mode && in_value && p->e.line > p->value_line + 1)
            return p->st;
        (void)at_line_end;
        p->st = ASFF_OK;
        if (resync(p, epos, rend) != ASFF_OK)
            return p->st;
        scanned = false;
        /* Go on after the line of the byte where yajl stopped (at the next line when the value took
         * the newline: it broke there, or stopped at a limit right after it): what follows on that
         * line belongs to the broken value. */
        rel = epos >= p->pbase ? (size_t)(epos - p->pbase) : 0;
        if (rel > n)
            rel = n;
        if (nl_taken && epos > 0 && rel > off && asff__codec_byte_at(p, epos - 1) == '\n') {
            off = rel;
            p->last_ok = p->pbase + off;
            continue;
        }
        {
            const unsigned char *nl = rel < n ? memchr(d + rel, '\n', n - rel) : NULL;
            if (!nl) {
                p->skip_line = true;
                break;
            }
            off = (size_t)(nl - d) + 1;
            p->last_ok = p->pbase + off;
        }
    }
    asff__codec_advance(p, p->pbase + n);
    asff__codec_keep_history(p, d, n);
    p->total += n;
    return ASFF_OK;
}

static asff_status give_error(asff_parser *p, asff_error *err)
{
    if (err)
        *err = p->e;
    return p->e.code;
}

/* ---- long tokens -------------------------------------------------------------------------- */

/*
 * yajl keeps a token that spans calls in a buffer and lexes it again from its start on every call,
 * so a long token fed in pieces costs time quadratic in its length. Once the bytes since the last
 * token yajl reported pass HOLD_AFTER, input is held back and given to yajl in one piece when the
 * held bytes are at least as many as yajl already has of the token: the pieces double, and the
 * work is linear. Nothing is held past the stop point (asff__codec_stop_point), where feed_piece
 * stops the value: memory stays bounded by the limits.
 */

/* Bytes yajl has been given since the end of the last token it reported. */
static uint64_t since_token(const asff_parser *p)
{
    return p->total > p->last_ok ? p->total - p->last_ok : 0;
}

/* Feed what buffer b holds through feed, emptied first: the bytes stay in place while they are read. */
static asff_status flush(asff_parser *p, asff_buf *b, asff_status (*feed)(asff_parser *, const unsigned char *, size_t))
{
    size_t n = b->len;
    if (!n)
        return ASFF_OK;
    b->len = 0;
    return feed(p, (const unsigned char *)b->data, n);
}

static asff_status flush_hold(asff_parser *p)
{
    return flush(p, &p->hold, feed_piece);
}

/*
 * How much of d[0, len) feed_piece gets next: at most PIECE bytes. With simdjson, a piece that
 * would end inside a line ends after the last line break of its second half instead: the fast path
 * reads only values that end within their piece, so a line cut in two would go to yajl (about one
 * finding in 25 of NDJSON fed in large blocks). A document without line breaks is cut at PIECE.
 */
static size_t piece_len(const asff_parser *p, const unsigned char *d, size_t len)
{
    const unsigned char *nl, *last = NULL, *at = d + PIECE / 2;
    if (len <= PIECE)
        return len;
    if (!p->fast_on)
        return PIECE;
    /* memchr forward rather than a byte loop backward: a document without line breaks costs one
     * vectorized scan of half a piece (a byte loop measured 10% of a document's reading time). */
    while ((nl = memchr(at, '\n', (size_t)(d + PIECE - at))) != NULL)
        last = nl, at = nl + 1;
    return last ? (size_t)(last - d) + 1 : PIECE;
}

static asff_status feed_nomem(asff_parser *p)
{
    asff__codec_set_errorf(p, ASFF_ERR_NOMEM, p->total, "out of memory");
    p->st = ASFF_ERR_NOMEM;
    return p->st;
}

/* Feed d[0, len) in pieces, holding long tokens back (above). */
static asff_status feed_all(asff_parser *p, const unsigned char *d, size_t len)
{
    while (len) {
        size_t n = piece_len(p, d, len);
        uint64_t have = p->total + p->hold.len;
        uint64_t gap = have > p->last_ok ? have - p->last_ok : 0;
        if (!p->skip_line && p->y && (p->hold.len || gap > HOLD_AFTER)) {
            uint64_t sp = asff__codec_stop_point(p);
            size_t take = have >= sp ? 0 : sp - have < n ? (size_t)(sp - have) : n;
            if (take || p->hold.len) {
                if (take && asff__buf_append(&p->hold, d, take) != ASFF_OK)
                    return feed_nomem(p);
                d += take;
                len -= take;
                if ((take < n || p->hold.len >= since_token(p)) && flush_hold(p) != ASFF_OK)
                    return p->st;
                continue;
            }
            /* nothing held and the stop point reached: feed_piece stops the value */
        }
        if (feed_piece(p, d, n) != ASFF_OK)
            return p->st;
        d += n;
        len -= n;
    }
    return ASFF_OK;
}

/* ---- lines cut by the caller's chunks -------------------------------------------------------
 * The fast path reads a finding only when its bytes end within the piece, so each chunk a caller
 * feeds (a pipe gives 64 KiB at a time) cuts one finding that yajl then reads, at about twice the
 * cost (one finding in 26 at 64 KiB, 7% of the typed parse's instructions). So the unfinished
 * last line of a feed (after its last line break, at most CARRY_MAX bytes) is kept and fed with
 * the next feed's first line, or by finish. A last line that ends like a complete value ('}' or
 * ']', blanks after it) is fed at once, so that a feed delivers the findings it completes. Both
 * front-ends keep lines alike: they get the same pieces, which the yajl path's error positions
 * can depend on (a UTF-8 sequence cut by a piece's end). */
#define CARRY_MAX PIECE

/* Whether d[0, len) ends like a complete value: '}' or ']' before blanks. */
static bool ends_value(const unsigned char *d, size_t len)
{
    while (len && asff__codec_blank(d[len - 1]))
        len--;
    return len && (d[len - 1] == '}' || d[len - 1] == ']');
}

/* The length of the last line of d[0, len) when it is kept (above), else 0. line_start: a line
 * starts at d[0]. */
static size_t tail_len(const unsigned char *d, size_t len, bool line_start)
{
    const unsigned char *at, *nl, *first;
    if (!len || d[len - 1] == '\n') /* (d may be NULL when len is 0) */
        return 0;
    at = first = d + (len > CARRY_MAX ? len - CARRY_MAX : 0);
    if (at == d && !line_start) /* a line that started before: not kept */
        first = NULL;
    while ((nl = memchr(at, '\n', (size_t)(d + len - at))) != NULL) /* forward: memchr is vectorized */
        first = at = nl + 1;
    if (!first || (first == at && at != d && at[-1] != '\n') || ends_value(first, (size_t)(d + len - first)))
        return 0;
    return (size_t)(d + len - first);
}

/* Add d[0, n) to the kept line; false when out of memory (reported). */
static bool keep(asff_parser *p, const unsigned char *d, size_t n)
{
    if (asff__buf_append(&p->carry, d, n) == ASFF_OK)
        return true;
    feed_nomem(p);
    return false;
}

static asff_status flush_carry(asff_parser *p)
{
    return flush(p, &p->carry, feed_all);
}

asff_status asff_parser_feed(asff_parser *p, const void *data, size_t len, asff_error *err)
{
    const unsigned char *d = data;
    size_t t;
    bool line_start;
    if (!p || (!data && len))
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "parser and data are required");
    if (p->dead)
        return give_error(p, err);
    if (p->finished)
        return asff__error_setf(err, ASFF_ERR_STATE, "feed after finish");
    line_start = p->after_nl || !p->total;
    if (len)
        p->after_nl = d[len - 1] == '\n';
    if (p->carry.len && len) {
        /* the kept line goes on up to the first line break (or as long as it may grow) */
        const unsigned char *nl = memchr(d, '\n', len < CARRY_MAX ? len : CARRY_MAX);
        size_t take = nl ? (size_t)(nl - d) + 1 : p->carry.len + len <= CARRY_MAX ? len : 0;
        if (take && !keep(p, d, take))
            goto dead;
        d += take;
        len -= take;
        if (!nl && take && !ends_value((const unsigned char *)p->carry.data, p->carry.len))
            return ASFF_OK;
        line_start = nl != NULL;
        if (flush_carry(p) != ASFF_OK)
            goto dead;
    }
    t = tail_len(d, len, line_start);
    if (feed_all(p, d, len - t) != ASFF_OK)
        goto dead;
    if (t) {
        if (!p->hold.len && !p->skip_line) {
            if (!keep(p, d + len - t, t))
                goto dead;
        } else if (feed_all(p, d + len - t, t) != ASFF_OK) {
            goto dead;
        }
    }
    return ASFF_OK;
dead:
    p->dead = true;
    return give_error(p, err);
}

asff_status asff_parser_finish(asff_parser *p, asff_error *err)
{
    yajl_status ys;
    if (!p)
        return asff__error_setf(err, ASFF_ERR_INVALID_ARG, "parser is required");
    if (p->dead)
        return give_error(p, err);
    if (p->finished)
        return asff__error_setf(err, ASFF_ERR_STATE, "finish called twice");
    p->finished = true;
    if (flush_carry(p) != ASFF_OK || flush_hold(p) != ASFF_OK) {
        p->dead = true;
        return give_error(p, err);
    }
    p->pdata = NULL;
    p->plen = 0;
    p->pbase = p->ybase = p->total;
    ys = yajl_complete_parse(p->y);
    if (p->ya.failed && p->st == ASFF_OK) {
        asff__codec_set_errorf(p, ASFF_ERR_NOMEM, p->total, "out of memory");
        p->st = ASFF_ERR_NOMEM;
    }
    if (p->st != ASFF_OK) {
        p->dead = true;
        return give_error(p, err);
    }
    if (ys == yajl_status_ok)
        return ASFF_OK;
    if (ys == yajl_status_error) {
        unsigned char *msg = yajl_get_error(p->y, 0, NULL, 0);
        bool eof = msg && strstr((const char *)msg, "premature EOF");
        if (msg)
            yajl_free_error(p->y, msg);
        if (eof && !p->nframes && !p->in_value)
            return ASFF_OK; /* empty input, or only blanks after the last value */
        yajl_failure(p, p->total, true);
        if (can_resync(p, false)) {
            p->st = ASFF_OK;
            if (resync(p, p->total, p->total) == ASFF_OK)
                return ASFF_OK;
        }
    }
    if (p->st == ASFF_OK)
        p->st = ASFF_ERR_INTERNAL;
    p->dead = true;
    return give_error(p, err);
}
