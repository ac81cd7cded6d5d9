// The simdjson front-end (simd.h): simdjson's on-demand API reads one value that fast.c delimited
// and replays it as the builder's events. On-demand rather than DOM: it hands over a number's text as
// written (raw_json_token), which the builder keeps for big integers and unknown members, and it
// builds no tree that would only be walked once. Anything it refuses, and anything whose meaning
// simdjson and yajl could tell apart (a number or literal outside JSON's grammar), is UNSURE: the
// yajl path then reads the same bytes and reports the error exactly.
#include "simd.h"

#include <cstring>
#include "asff/object.h"
#include <new>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <utility>
#include <simdjson.h>

using namespace simdjson;

struct asff__simd {
    ondemand::parser parser;
    ondemand::document doc; // the last value's: ASFF__SIMD_AGAIN reads it again without stage 1
};

namespace {

struct walker {
    const asff__simd_events *ev;
    void *ctx;
    const char *end; // one past the value's last byte
};

int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = static_cast<char>(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// The escapes of the string whose text starts at raw (just after its opening quote), up to its
// closing quote: false where a \u escape is U+0000 or a surrogate (paired or not), which only the
// yajl path decodes (as the boundary scanner in fast.c says too), or where the string runs past
// the value. Only strings with a backslash come here.
bool plain_escapes(const walker &w, const char *raw)
{
    for (const char *i = raw; i < w.end; i++) {
        if (*i == '"')
            return true;
        if (*i != '\\')
            continue;
        if (++i >= w.end)
            return false;
        if (*i == 'u') {
            int h[4];
            unsigned v;
            if (w.end - i < 5)
                return false;
            for (int k = 0; k < 4; k++)
                if ((h[k] = hexval(i[k + 1])) < 0)
                    return false;
            v = static_cast<unsigned>(h[0] << 12 | h[1] << 8 | h[2] << 4 | h[3]);
            if (v == 0 || (v >= 0xD800 && v <= 0xDFFF))
                return false;
            i += 4;
        }
    }
    return false;
}

bool digit(char c)
{
    return c >= '0' && c <= '9';
}

// RFC 8259's number grammar, the whole token.
bool json_number(std::string_view t)
{
    size_t i = 0, n = t.size();
    if (i < n && t[i] == '-')
        i++;
    if (i >= n)
        return false;
    if (t[i] == '0') {
        i++;
    } else if (digit(t[i])) {
        while (i < n && digit(t[i]))
            i++;
    } else {
        return false;
    }
    if (i < n && t[i] == '.') {
        size_t d = ++i;
        while (i < n && digit(t[i]))
            i++;
        if (i == d)
            return false;
    }
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        size_t d;
        i++;
        if (i < n && (t[i] == '+' || t[i] == '-'))
            i++;
        d = i;
        while (i < n && digit(t[i]))
            i++;
        if (i == d)
            return false;
    }
    return i == n;
}

// raw_json_token runs to the next token: the blanks after the value come with it.
std::string_view trimmed(std::string_view t)
{
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\n' || t.back() == '\r'))
        t.remove_suffix(1);
    return t;
}

int walk_value(walker &w, ondemand::value v);

// The text of a string without an escape, straight from the input (raw points just after its
// opening quote): simdjson's unescaped copy is not needed, stage 1 validated its UTF-8 and the
// scanner (fast.c) refused raw control characters. False when the string holds a backslash.
bool plain_string(const walker &w, const char *raw, std::string_view &out)
{
    const char *i = raw;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    for (; i + 16 <= w.end; i += 16) { // one pass for the closing quote or a backslash
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(i));
        unsigned mask = static_cast<unsigned>(
            _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash))));
        if (mask) {
            i += __builtin_ctz(mask);
            break;
        }
    }
#endif
    while (i < w.end && *i != '"' && *i != '\\')
        i++;
    if (i >= w.end || *i != '"')
        return false;
    out = std::string_view(raw, static_cast<size_t>(i - raw));
    return true;
}

// A string value's text: straight from the input when it holds no escape, else simdjson's
// unescaped copy (escaped set). False when simdjson refuses it.
simdjson_inline bool read_string(const walker &w, ondemand::value &v, std::string_view &s, bool &escaped)
{
    std::string_view tok = v.raw_json_token(); // a peek: get_string may still follow
    ondemand::raw_json_string consumed;
    if (!tok.empty() && plain_string(w, tok.data() + 1, s)) {
        /* Consumed all the same: a value left unread is skipped by On Demand, which takes a string
         * followed by ':' for a key and skips on to the end of the object, so that {"a":"b":[1]}
         * would pass. Read, the value is followed by ',' or '}' or it is an error. */
        escaped = false;
        return !v.get_raw_json_string().get(consumed);
    }
    escaped = true;
    return !tok.empty() && plain_escapes(w, tok.data() + 1) && !v.get_string().get(s);
}

// A member name or map key, straight from the input when it holds no escape (as read_string). False
// when it cannot be read here (a \u escape of U+0000 or a surrogate, or simdjson refuses it).
template <typename Field> simdjson_inline bool field_name(const walker &w, Field &item, std::string_view &k)
{
    const char *raw = item.key().raw();
    return plain_string(w, raw, k) || (plain_escapes(w, raw) && !item.unescaped_key().get(k));
}

// ---- projection: a dry member's value checked here (simd.h asff__simd_dry) ---------------------
// What the builder's dry frames (parser.c, FK_DRY) and the callbacks before them accept, checked
// without an event per token: the type of every value against the model, duplicate names, member
// and item counts, string lengths, the depth. False wherever they would give up or report, and
// wherever this check is not sure (a double with an exponent, more than 64 names), so that the
// finding goes to the yajl path as it would from the events.

struct dry_walk {
    walker &w;
    asff__simd_dry d;
};

bool dry_slot(dry_walk &dw, ondemand::value v, int kind, const asff_member *m, bool member, size_t depth_left);

// A member name or map key: read, at most max_string bytes, no U+0000.
template <typename Field> bool dry_key(dry_walk &dw, Field &item, std::string_view &k)
{
    return field_name(dw.w, item, k) && k.size() <= dw.d.max_string;
}

// A scalar where a value of kind goes (JSON: any); null goes anywhere, as in dry frames.
bool dry_scalar(dry_walk &dw, ondemand::value v, ondemand::json_type t, int kind)
{
    std::string_view raw;
    if (t == ondemand::json_type::string) {
        std::string_view s;
        bool escaped;
        // (only an escape makes a U+0000: the scanner refused raw control characters)
        if (!read_string(dw.w, v, s, escaped) || (escaped && s.find('\0') != s.npos))
            return false;
        return s.size() <= dw.d.max_string && (kind == ASFF_KIND_STRING || kind == ASFF_KIND_JSON);
    }
    raw = trimmed(v.raw_json_token());
    switch (t) {
    case ondemand::json_type::number:
        if (!json_number(raw))
            return false;
        if (kind == ASFF_KIND_INT || kind == ASFF_KIND_JSON)
            return true;
        // fewer than 300 digits and no exponent: far below DBL_MAX (the rest: the events decide)
        return kind == ASFF_KIND_DOUBLE && raw.size() < 300 && raw.find_first_of("eE") == raw.npos;
    case ondemand::json_type::boolean:
        return (raw == "true" || raw == "false") && (kind == ASFF_KIND_BOOL || kind == ASFF_KIND_JSON);
    case ondemand::json_type::null:
        return raw == "null";
    default:
        return false;
    }
}

// Any JSON value (an unknown member, a JSON-kind slot).
bool dry_any(dry_walk &dw, ondemand::value v, size_t depth_left)
{
    ondemand::json_type t;
    if (v.type().get(t))
        return false;
    if (t == ondemand::json_type::object) {
        ondemand::object o;
        if (!depth_left || v.get_object().get(o))
            return false;
        for (auto item : o) {
            std::string_view k;
            ondemand::value iv;
            if (!dry_key(dw, item, k) || item.value().get(iv) || !dry_any(dw, iv, depth_left - 1))
                return false;
        }
        return true;
    }
    if (t == ondemand::json_type::array) {
        ondemand::array a;
        if (!depth_left || v.get_array().get(a))
            return false;
        for (auto item : a) {
            ondemand::value iv;
            if (std::move(item).get(iv) || !dry_any(dw, iv, depth_left - 1))
                return false;
        }
        return true;
    }
    return dry_scalar(dw, v, t, ASFF_KIND_JSON);
}

// Names of unknown members or map keys seen in one object: duplicates refused, at most 64 of them.
// Plain pairs, left uninitialized: an array of string_view is zeroed (1 KiB) for every object the
// walk opens, which was about 40% of the dry walk's time (docs/performance.md).
struct dry_names {
    struct name {
        const char *s;
        size_t len;
    } n[64];
    size_t count = 0;
    bool add(std::string_view k)
    {
        for (size_t i = 0; i < count; i++)
            if (n[i].len == k.size() && std::memcmp(n[i].s, k.data(), k.size()) == 0)
                return false;
        if (count == 64)
            return false;
        n[count++] = name{k.data(), k.size()};
        return true;
    }
};

bool dry_object(dry_walk &dw, ondemand::object o, const asff_type *t, size_t depth_left)
{
    uint64_t bloom[2] = {0, 0};
    dry_names names;
    size_t count = 0;
    for (auto item : o) {
        std::string_view k;
        ondemand::value v;
        const asff_member *m;
        if (!dry_key(dw, item, k) || ++count > dw.d.max_members || count > 60000)
            return false;
        m = static_cast<const asff_member *>(dw.w.ev->dry_member(dw.w.ctx, t, k.data(), k.size()));
        if (m) {
            size_t i = static_cast<size_t>(m - t->members) & 127u;
            uint64_t bit = uint64_t{1} << (i & 63);
            if (bloom[i >> 6] & bit)
                return false; // a duplicate, or two members that share a bit
            bloom[i >> 6] |= bit;
        } else if (!names.add(k)) {
            return false;
        }
        if (item.value().get(v) || !(m ? dry_slot(dw, v, m->kind, m, true, depth_left) : dry_any(dw, v, depth_left)))
            return false;
    }
    return true;
}

bool dry_list(dry_walk &dw, ondemand::array a, const asff_member *m, size_t depth_left)
{
    size_t count = 0;
    for (auto item : a) {
        ondemand::value v;
        if (std::move(item).get(v) || ++count > dw.d.max_members || !dry_slot(dw, v, m->elem_kind, m, false, depth_left))
            return false;
    }
    return true;
}

bool dry_map(dry_walk &dw, ondemand::object o, const asff_member *m, size_t depth_left)
{
    dry_names names;
    size_t count = 0;
    for (auto item : o) {
        std::string_view k;
        ondemand::value v;
        if (!dry_key(dw, item, k) || ++count > dw.d.max_members || count > 60000 || !names.add(k) ||
            item.value().get(v) || !dry_slot(dw, v, m->elem_kind, m, false, depth_left))
            return false;
    }
    return true;
}

// A value where the model puts a slot of kind (member: a member's own value; else an item or a map
// value, which may not be a list or map itself).
bool dry_slot(dry_walk &dw, ondemand::value v, int kind, const asff_member *m, bool member, size_t depth_left)
{
    ondemand::json_type t;
    if (v.type().get(t))
        return false;
    if (t != ondemand::json_type::object && t != ondemand::json_type::array)
        return dry_scalar(dw, v, t, kind);
    if (!depth_left)
        return false;
    if (kind == ASFF_KIND_JSON)
        return dry_any(dw, v, depth_left);
    if (t == ondemand::json_type::object) {
        ondemand::object o;
        if (v.get_object().get(o))
            return false;
        if (kind == ASFF_KIND_OBJECT)
            return dry_object(dw, o, m->type, depth_left - 1);
        return member && kind == ASFF_KIND_MAP && dry_map(dw, o, m, depth_left - 1);
    }
    ondemand::array a;
    if (!member || kind != ASFF_KIND_LIST || v.get_array().get(a))
        return false;
    return dry_list(dw, a, m, depth_left - 1);
}

// The type of a member's value for the member event (simd.h), -1 for null.
int member_type(ondemand::json_type t)
{
    switch (t) {
    case ondemand::json_type::object:
        return ASFF__SIMD_T_OBJECT;
    case ondemand::json_type::array:
        return ASFF__SIMD_T_ARRAY;
    case ondemand::json_type::string:
        return ASFF__SIMD_T_STRING;
    case ondemand::json_type::number:
        return ASFF__SIMD_T_NUMBER;
    case ondemand::json_type::boolean:
        return ASFF__SIMD_T_BOOL;
    default:
        return -1;
    }
}

// An object's members as events, between start_map and end_map (walk_object).
int walk_members(walker &w, ondemand::object obj)
{
    for (auto item : obj) {
        std::string_view k;
        ondemand::value v;
        int rc;
        if (!field_name(w, item, k))
            return ASFF__SIMD_UNSURE;
        if (!w.ev->map_key(w.ctx, reinterpret_cast<const unsigned char *>(k.data()), k.size()))
            return ASFF__SIMD_STOPPED;
        if (item.value().get(v))
            return ASFF__SIMD_UNSURE;
        if ((rc = walk_value(w, v)) != ASFF__SIMD_OK)
            return rc;
    }
    return ASFF__SIMD_OK;
}

// The members of an object that projects (walk_object): each through the member event,
// which says whether the walker checks the value itself (outside the projection) or replays it.
int walk_projected_members(walker &w, ondemand::object obj)
{
    for (auto item : obj) {
        std::string_view k;
        ondemand::value v;
        ondemand::json_type t;
        dry_walk dw{w, {}};
        const asff_member *m;
        int rc, member;
        if (!field_name(w, item, k) || item.value().get(v) || v.type().get(t))
            return ASFF__SIMD_UNSURE;
        member = w.ev->member(w.ctx, reinterpret_cast<const unsigned char *>(k.data()), k.size(), member_type(t), &dw.d);
        if (!member)
            return ASFF__SIMD_STOPPED;
        if (member == 2) {
            m = static_cast<const asff_member *>(dw.d.member);
            if (!dry_slot(dw, v, m->kind, m, true, dw.d.depth_left))
                return ASFF__SIMD_UNSURE;
        } else if ((rc = walk_value(w, v)) != ASFF__SIMD_OK) {
            return rc;
        }
    }
    return ASFF__SIMD_OK;
}

// An object that projects (a finding, or an object that a nested entry narrows) says so at its
// start_map: its members come through the member event.
int walk_object(walker &w, ondemand::object obj)
{
    int rc, open = w.ev->start_map(w.ctx);
    if (!open)
        return ASFF__SIMD_STOPPED;
    if ((rc = open == 2 ? walk_projected_members(w, obj) : walk_members(w, obj)) != ASFF__SIMD_OK)
        return rc;
    return w.ev->end_map(w.ctx) ? ASFF__SIMD_OK : ASFF__SIMD_STOPPED;
}

int walk_array(walker &w, ondemand::array arr)
{
    if (!w.ev->start_array(w.ctx))
        return ASFF__SIMD_STOPPED;
    for (auto item : arr) {
        ondemand::value v;
        int rc;
        if (std::move(item).get(v))
            return ASFF__SIMD_UNSURE;
        if ((rc = walk_value(w, v)) != ASFF__SIMD_OK)
            return rc;
    }
    return w.ev->end_array(w.ctx) ? ASFF__SIMD_OK : ASFF__SIMD_STOPPED;
}

int scalar(walker &w, ondemand::json_type t, std::string_view raw)
{
    int ok;
    raw = trimmed(raw);
    switch (t) {
    case ondemand::json_type::number:
        if (!json_number(raw))
            return ASFF__SIMD_UNSURE;
        ok = w.ev->number(w.ctx, raw.data(), raw.size());
        break;
    case ondemand::json_type::boolean:
        if (raw != "true" && raw != "false")
            return ASFF__SIMD_UNSURE;
        ok = w.ev->boolean(w.ctx, raw == "true");
        break;
    case ondemand::json_type::null:
        if (raw != "null")
            return ASFF__SIMD_UNSURE;
        ok = w.ev->null_value(w.ctx);
        break;
    default:
        return ASFF__SIMD_UNSURE;
    }
    return ok ? ASFF__SIMD_OK : ASFF__SIMD_STOPPED;
}

int walk_value(walker &w, ondemand::value v)
{
    ondemand::json_type t;
    if (v.type().get(t))
        return ASFF__SIMD_UNSURE;
    switch (t) {
    case ondemand::json_type::object: {
        ondemand::object o;
        if (v.get_object().get(o))
            return ASFF__SIMD_UNSURE;
        return walk_object(w, o);
    }
    case ondemand::json_type::array: {
        ondemand::array a;
        if (v.get_array().get(a))
            return ASFF__SIMD_UNSURE;
        return walk_array(w, a);
    }
    case ondemand::json_type::string: {
        std::string_view s;
        bool escaped;
        if (!read_string(w, v, s, escaped))
            return ASFF__SIMD_UNSURE;
        return w.ev->string(w.ctx, reinterpret_cast<const unsigned char *>(s.data()), s.size()) ? ASFF__SIMD_OK
                                                                                                  : ASFF__SIMD_STOPPED;
    }
    default:
        return scalar(w, t, v.raw_json_token());
    }
}

} // namespace

extern "C" asff__simd *asff__simd_new(void)
{
    return new (std::nothrow) asff__simd();
}

extern "C" void asff__simd_free(asff__simd *s)
{
    delete s;
}

extern "C" int asff__simd_walk(asff__simd *s, const unsigned char *json, size_t len, size_t cap, unsigned flags,
                               const asff__simd_events *ev, void *ctx)
{
    try {
        walker w{ev, ctx, reinterpret_cast<const char *>(json) + len};
        ondemand::document &doc = s->doc;
        ondemand::json_type t;
        int rc, open;
        padded_string_view in(reinterpret_cast<const char *>(json), len, cap);
        if (flags & ASFF__SIMD_AGAIN)
            doc.rewind(); // stage 1's index of the same bytes still holds
        else if (s->parser.iterate(in).get(doc))
            return ASFF__SIMD_UNSURE;
        if (doc.type().get(t))
            return ASFF__SIMD_UNSURE;
        if (t == ondemand::json_type::object) {
            ondemand::object o;
            const char *at;
            if (doc.get_object().get(o))
                return ASFF__SIMD_UNSURE;
            if (!(flags & ASFF__SIMD_WHOLE))
                return walk_object(w, o); // the scanner ended the bytes at the closing brace
            if (!(open = ev->start_map(ctx)))
                return ASFF__SIMD_STOPPED;
            if ((rc = open == 2 ? walk_projected_members(w, o) : walk_members(w, o)) != ASFF__SIMD_OK)
                return rc;
            // before end_map, which delivers the finding: nothing may follow the object
            if (doc.current_location().get(at) != OUT_OF_BOUNDS)
                return ASFF__SIMD_UNSURE;
            return ev->end_map(ctx) ? ASFF__SIMD_OK : ASFF__SIMD_STOPPED;
        }
        if (t == ondemand::json_type::array && !(flags & ASFF__SIMD_WHOLE)) {
            ondemand::array a;
            if (doc.get_array().get(a))
                return ASFF__SIMD_UNSURE;
            return walk_array(w, a);
        }
        return ASFF__SIMD_UNSURE;
    } catch (...) { // std::bad_alloc inside simdjson: the yajl path reports it
        return ASFF__SIMD_UNSURE;
    }
}

extern "C" const char *asff__simd_version(void)
{
#define ASFF_STR2(x) #x
#define ASFF_STR(x) ASFF_STR2(x)
    return ASFF_STR(SIMDJSON_VERSION); // defined as bare tokens (3.0.1)
}
