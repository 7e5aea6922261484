/* The common case of `normalise._normalise_ascii`, in one pass of C.
 *
 * Most chat is short plain ASCII. In Python its normalisation is a dozen small C calls with
 * interpreter work between them (lower, drop apostrophes, replace @mentions, classify bytes
 * for leetspeak, tokenise, look for split or stretched letters); here it is one call. The
 * semantics are exactly those of the Python code, which stays the reference: the tests
 * compare both on random and generated text, and a golden file of verdicts guards the rest.
 * Anything outside the common case (a "<@" mention, a word mixing letters and leet symbols)
 * returns None and the Python path handles it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define MENTION " zmention "
#define MENTION_LEN 10

static inline int is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static inline int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
/* \w on lower-cased ASCII text (no upper case letters remain). */
static inline int is_word(unsigned char c) { return is_lower(c) || is_digit(c) || c == '_'; }
static inline int is_name(unsigned char c) { return is_word(c) || c == '.' || c == '-'; }

/* The byte classes of `normalise._CLASSES`: 'a' a letter, '1' a digit or leet symbol,
 * '!' itself, ' ' anything else. */
static inline char klass(unsigned char c) {
    if (is_lower(c)) return 'a';
    if (is_digit(c) || c == '@' || c == '$' || c == '|' || c == '+') return '1';
    if (c == '!') return '!';
    return ' ';
}

/* `_AT_MENTION`: "@" not preceded by [\w.@], not "@everyone"/"@here" as whole words, then
 * [a-z_] and 1 to 31 of [\w.-] (greedy). Returns the match length from the "@", or 0. */
static Py_ssize_t mention_at(const unsigned char *s, Py_ssize_t n, Py_ssize_t i) {
    if (i > 0) {
        unsigned char p = s[i - 1];
        if (is_word(p) || p == '.' || p == '@') return 0;
    }
    Py_ssize_t j = i + 1;
    if (n - j >= 8 && memcmp(s + j, "everyone", 8) == 0 && (j + 8 == n || !is_word(s[j + 8])))
        return 0;
    if (n - j >= 4 && memcmp(s + j, "here", 4) == 0 && (j + 4 == n || !is_word(s[j + 4])))
        return 0;
    if (j >= n || !(is_lower(s[j]) || s[j] == '_')) return 0;
    Py_ssize_t k = j + 1, limit = j + 1 + 31;
    while (k < n && k < limit && is_name(s[k])) k++;
    if (k == j + 1) return 0;
    return k - i;
}

/* `_LEET_I` / `_LEET_L`: digits and symbols read as the letters they stand for. */
static const char LEET_I[] = "0o1i3e4a5s7t8b9g@a$s!i|l+t";
static const char LEET_L[] = "0o1l3e4a5s7t8b9g@a$s!i|l+t";

static inline int in_run(unsigned char c) {  /* [a-z0-9@$!|+] */
    return is_lower(c) || is_digit(c) || c == '@' || c == '$' || c == '!' || c == '|' || c == '+';
}

static inline unsigned char leet_char(unsigned char c, const char *table) {
    for (const char *p = table; *p; p += 2)
        if ((unsigned char)p[0] == c) return (unsigned char)p[1];
    return c;
}

/* `_MIXED.sub(_leet_x, s)`: every maximal run of [a-z0-9@$!|+] that mixes letters with
 * digits or symbols ("a" then [0-9@$!|+], or [0-9@$|+] then "a") is mapped through the
 * table, its trailing "!"s becoming one space; other runs and characters are copied. */
static Py_ssize_t leet_map(const unsigned char *s, Py_ssize_t n, unsigned char *out,
                           const char *table) {
    Py_ssize_t o = 0, i = 0;
    while (i < n) {
        if (!in_run(s[i])) {
            out[o++] = s[i++];
            continue;
        }
        Py_ssize_t j = i;
        while (j < n && in_run(s[j])) j++;
        int mixed = 0;
        for (Py_ssize_t k = i; k + 1 < j && !mixed; k++) {
            unsigned char a = s[k], b = s[k + 1];
            if (is_lower(a) && !is_lower(b)) mixed = 1;
            else if (!is_lower(a) && a != '!' && is_lower(b)) mixed = 1;
        }
        if (!mixed) {
            memcpy(out + o, s + i, (size_t)(j - i));
            o += j - i;
        } else {
            Py_ssize_t end = j;
            while (end > i && s[end - 1] == '!') end--;
            for (Py_ssize_t k = i; k < end; k++) out[o++] = leet_char(s[k], table);
            if (end < j) out[o++] = ' ';
        }
        i = j;
    }
    return o;
}

/* Facts about the original text that let the PII finder skip its gates (`pii.find`):
 * GATE_EMAIL `_EMAIL_HINT` ("@", then [A-Za-z0-9-]+, ".", [A-Za-z0-9-]); GATE_DIGIT any
 * digit; GATE_NUMERIC `_NUM_HINT` (\d[\d .()/x-]{5,}\d); GATE_SPACE_DIGIT " " then a digit;
 * GATE_BOX "box" in any case. GATE_KNOWN says the others were computed. */
#define GATE_KNOWN 1
#define GATE_EMAIL 2
#define GATE_DIGIT 4
#define GATE_NUMERIC 8
#define GATE_SPACE_DIGIT 16
#define GATE_BOX 32

static inline int is_alnum_dash(unsigned char c) {
    return is_lower(c) || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-';
}
static inline int in_num(unsigned char c) {
    return is_digit(c) || c == ' ' || c == '.' || c == '(' || c == ')' || c == '/' || c == 'x'
        || c == '-';
}

static long gates(const unsigned char *s, Py_ssize_t n) {
    long g = GATE_KNOWN;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (is_digit(c)) {
            g |= GATE_DIGIT;
            if (i > 0 && s[i - 1] == ' ') g |= GATE_SPACE_DIGIT;
        } else if (c == '@' && !(g & GATE_EMAIL)) {
            Py_ssize_t j = i + 1;
            while (j < n && is_alnum_dash(s[j])) j++;
            if (j > i + 1 && j + 1 < n && s[j] == '.' && is_alnum_dash(s[j + 1])) g |= GATE_EMAIL;
        } else if ((c | 0x20) == 'b' && i + 2 < n && (s[i + 1] | 0x20) == 'o'
                   && (s[i + 2] | 0x20) == 'x') {
            g |= GATE_BOX;
        }
    }
    if (g & GATE_DIGIT) {
        /* A run of [\d .()/x-] whose first digit has another digit 6 or more places on. */
        Py_ssize_t i = 0;
        while (i < n && !(g & GATE_NUMERIC)) {
            if (!in_num(s[i])) { i++; continue; }
            Py_ssize_t j = i;
            while (j < n && in_num(s[j])) j++;
            Py_ssize_t first = i;
            while (first < j && !is_digit(s[first])) first++;
            for (Py_ssize_t k = j - 1; k >= first + 6; k--) {
                if (is_digit(s[k])) { g |= GATE_NUMERIC; break; }
            }
            i = j;
        }
    }
    return g;
}

static PyObject *normalise_ascii(PyObject *self, PyObject *arg) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected str");
        return NULL;
    }
    if (!PyUnicode_IS_ASCII(arg)) Py_RETURN_NONE;
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    const unsigned char *src = (const unsigned char *)PyUnicode_DATA(arg);
    PyObject *result = NULL;
    PyObject *alt_low = NULL;
    unsigned char *mapped = NULL, *alt = NULL;
    /* low: lower case, apostrophes dropped; then mentions replaced (up to 10/3 longer). */
    unsigned char *low = PyMem_Malloc((size_t)n + 1);
    unsigned char *sub = PyMem_Malloc((size_t)n * 4 + 16);
    unsigned char *flat = PyMem_Malloc((size_t)n * 4 + 16);
    mapped = PyMem_Malloc((size_t)n * 4 + 16);
    alt = PyMem_Malloc((size_t)n * 4 + 16);
    if (!low || !sub || !flat || !mapped || !alt) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t m = 0;
    int at = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = src[i];
        if (c == '\'') continue;
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        if (c == '@') at = 1;
        low[m++] = c;
    }
    low[m] = 0;
    Py_ssize_t mentions = 0;
    int everyone = 0;
    Py_ssize_t L = 0;
    if (at) {
        for (Py_ssize_t i = 0; i + 1 < m; i++) {
            if (low[i] == '<' && low[i + 1] == '@') {
                result = Py_None;  /* Discord mention markup: the Python path */
                Py_INCREF(result);
                goto done;
            }
        }
        for (Py_ssize_t i = 0; i < m && !everyone; i++) {
            if (low[i] != '@') continue;
            if ((m - i - 1 >= 8 && memcmp(low + i + 1, "everyone", 8) == 0)
                || (m - i - 1 >= 4 && memcmp(low + i + 1, "here", 4) == 0))
                everyone = 1;
        }
        Py_ssize_t i = 0;
        while (i < m) {
            if (low[i] == '@') {
                Py_ssize_t len = mention_at(low, m, i);
                if (len) {
                    memcpy(sub + L, MENTION, MENTION_LEN);
                    L += MENTION_LEN;
                    mentions++;
                    i += len;
                    continue;
                }
            }
            sub[L++] = low[i++];
        }
    } else {
        memcpy(sub, low, (size_t)m);
        L = m;
    }
    /* Leetspeak hint (`_leet_hint`): "a1", "1a", "!a", or a letter, "!"s, letter/leet. */
    int leet = 0;
    char prev = ' ';
    for (Py_ssize_t i = 0; i < L && !leet; i++) {
        char k = klass(sub[i]);
        if ((prev == 'a' && k == '1') || (prev == '1' && k == 'a') || (prev == '!' && k == 'a'))
            leet = 1;
        else if (prev == 'a' && k == '!') {
            Py_ssize_t j = i;
            while (j < L && sub[j] == '!') j++;
            if (j < L && (klass(sub[j]) == 'a' || klass(sub[j]) == '1')) leet = 1;
        }
        prev = k;
    }
    alt_low = Py_None;
    Py_INCREF(alt_low);
    if (leet) {
        /* `_MIXED.sub(_leet_i, low)`, and the "1 read as l" reading when there is a 1 or |. */
        int want_alt = memchr(sub, '1', (size_t)L) != NULL || memchr(sub, '|', (size_t)L) != NULL;
        if (want_alt) {
            Py_ssize_t A = leet_map(sub, L, alt, LEET_L);
            Py_DECREF(alt_low);
            alt_low = PyUnicode_DecodeASCII((const char *)alt, A, NULL);
            if (!alt_low) goto done;
        }
        Py_ssize_t M = leet_map(sub, L, mapped, LEET_I);
        memcpy(sub, mapped, (size_t)M);
        L = M;
    }
    /* Tokens: runs of [a-z0-9], joined by single spaces, with a space either side. */
    Py_ssize_t F = 0;
    flat[F++] = ' ';
    int in_word = 0;
    for (Py_ssize_t i = 0; i < L; i++) {
        unsigned char c = sub[i];
        if (is_lower(c) || is_digit(c)) {
            if (!in_word && F > 1) flat[F++] = ' ';
            flat[F++] = c;
            in_word = 1;
        } else {
            in_word = 0;
        }
    }
    if (F > 1) flat[F++] = ' ';
    else flat[F++] = ' ';  /* no tokens: "  " as in Python (" " + "" + " ") */
    /* Split letters (" x y z ") or a letter stretched three times: variants needed. */
    int variants = leet;
    for (Py_ssize_t i = 0; i + 6 < F && !variants; i++) {
        if (flat[i] == ' ' && is_lower(flat[i + 1]) && flat[i + 2] == ' '
            && is_lower(flat[i + 3]) && flat[i + 4] == ' ' && is_lower(flat[i + 5])
            && flat[i + 6] == ' ')
            variants = 1;
    }
    for (Py_ssize_t i = 0; i + 2 < F && !variants; i++) {
        if (is_lower(flat[i]) && flat[i + 1] == flat[i] && flat[i + 2] == flat[i]) variants = 1;
    }
    {
        PyObject *low_s = PyUnicode_DecodeASCII((const char *)sub, L, NULL);
        PyObject *flat_s = low_s ? PyUnicode_DecodeASCII((const char *)flat, F, NULL) : NULL;
        if (low_s && flat_s) {
            result = Py_BuildValue("(NNnOOOl)", low_s, flat_s, mentions,
                                   everyone ? Py_True : Py_False,
                                   variants ? Py_True : Py_False, alt_low, gates(src, n));
        } else {
            Py_XDECREF(low_s);
            Py_XDECREF(flat_s);
        }
    }
done:
    Py_XDECREF(alt_low);
    PyMem_Free(low);
    PyMem_Free(mapped);
    PyMem_Free(alt);
    PyMem_Free(sub);
    PyMem_Free(flat);
    return result;
}

/* `Matcher.scan_flags` for one flat form: every lexicon phrase found as whole tokens.
 *
 * The phrases form a trie keyed from their LAST token backwards (node 0 is the root). Its
 * edges live in one flat open-addressing table (`build_table`), looked up by a hash of
 * the token's bytes and the parent node, so a token costs one probe into compact memory
 * and no Python string. `values[node]` is None or (entries, flags), entries being (tag,
 * severity, phrase, length) tuples. Walking back from each token finds every phrase that
 * ends there, so hits come out in the order Aho-Corasick gives them: by end, the longest
 * first. Each hit is built as `hit_type(tag, severity, phrase, 0, start, length)`.
 */
#include <stdint.h>

typedef struct {
    uint64_t hash;
    uint32_t parent, child, off, len;
} Slot;

typedef struct {
    uint64_t mask;  /* slots - 1 */
    uint64_t nslots;
} TableHead;

static inline uint64_t token_hash(const unsigned char *s, Py_ssize_t n, uint32_t parent) {
    uint64_t h = 1469598103934665603ULL;  /* FNV-1a, then the parent mixed in (splitmix64) */
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    h ^= (uint64_t)parent * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBULL;
    h ^= h >> 31;
    return h;
}

/* build_table([(parent, token, child), ...]) -> bytes: the edge table scan_table reads. */
static PyObject *build_table(PyObject *self, PyObject *arg) {
    if (!PyList_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a list of (parent, token, child)");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(arg);
    uint64_t nslots = 16;
    while (nslots < (uint64_t)n * 2 + 1) nslots <<= 1;
    Py_ssize_t pool = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PyList_GET_ITEM(arg, i);
        Py_ssize_t len;
        if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 3
            || !PyUnicode_Check(PyTuple_GET_ITEM(t, 1))) {
            PyErr_SetString(PyExc_TypeError, "expected (parent, token, child) tuples");
            return NULL;
        }
        if (!PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(t, 1), &len)) return NULL;
        pool += len;
    }
    Py_ssize_t size = (Py_ssize_t)(sizeof(TableHead) + nslots * sizeof(Slot)) + pool;
    PyObject *out = PyBytes_FromStringAndSize(NULL, size);
    if (!out) return NULL;
    char *base = PyBytes_AS_STRING(out);
    memset(base, 0, (size_t)size);
    TableHead *head = (TableHead *)base;
    head->mask = nslots - 1;
    head->nslots = nslots;
    Slot *slots = (Slot *)(base + sizeof(TableHead));
    char *pool_base = base + sizeof(TableHead) + nslots * sizeof(Slot);
    Py_ssize_t used = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = PyList_GET_ITEM(arg, i);
        long parent = PyLong_AsLong(PyTuple_GET_ITEM(t, 0));
        long child = PyLong_AsLong(PyTuple_GET_ITEM(t, 2));
        if (PyErr_Occurred()) { Py_DECREF(out); return NULL; }
        if (parent < 0 || child <= 0 || child > 0x7fffffff || parent > 0x7fffffff) {
            Py_DECREF(out);
            PyErr_SetString(PyExc_ValueError, "node ids must be 0 <= parent, 0 < child");
            return NULL;
        }
        Py_ssize_t len;
        const char *tok = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(t, 1), &len);
        uint64_t h = token_hash((const unsigned char *)tok, len, (uint32_t)parent);
        uint64_t k = h & head->mask;
        while (slots[k].child != 0) k = (k + 1) & head->mask;
        slots[k].hash = h;
        slots[k].parent = (uint32_t)parent;
        slots[k].child = (uint32_t)child;
        slots[k].off = (uint32_t)used;
        slots[k].len = (uint32_t)len;
        memcpy(pool_base + used, tok, (size_t)len);
        used += len;
    }
    return out;
}

static inline uint32_t table_find(const TableHead *head, const Slot *slots, const char *pool,
                                  uint32_t parent, const unsigned char *tok, Py_ssize_t len) {
    uint64_t h = token_hash(tok, len, parent);
    uint64_t k = h & head->mask;
    while (slots[k].child != 0) {
        const Slot *sl = &slots[k];
        if (sl->hash == h && sl->parent == parent && sl->len == (uint32_t)len
            && memcmp(pool + sl->off, tok, (size_t)len) == 0)
            return sl->child;
        k = (k + 1) & head->mask;
    }
    return 0;
}

/* scan_table(flat, table, values, hit_type, form=0) -> (hits, flags); `form` is the index
 * the hits carry (which form of the message `flat` is). */
static PyObject *scan_table(PyObject *self, PyObject *args) {
    PyObject *flat, *values, *hit_type;
    Py_buffer table;
    Py_ssize_t form = 0;
    if (!PyArg_ParseTuple(args, "Uy*O!O!|n", &flat, &table, &PyList_Type, &values, &PyType_Type,
                          &hit_type, &form))
        return NULL;
    PyObject *hits = NULL, *zero = NULL, *result = NULL;
    Py_ssize_t *starts = NULL, *lens = NULL, *ends = NULL;
    PyObject **vals = NULL;
    PyTypeObject *ht = (PyTypeObject *)hit_type;
    if (!PyType_IsSubtype(ht, &PyTuple_Type) || table.len < (Py_ssize_t)sizeof(TableHead)) {
        PyErr_SetString(PyExc_TypeError, "bad hit type or table");
        goto done;
    }
    const TableHead *head = (const TableHead *)table.buf;
    const Slot *slots = (const Slot *)((const char *)table.buf + sizeof(TableHead));
    const char *pool = (const char *)table.buf + sizeof(TableHead) + head->nslots * sizeof(Slot);
    Py_ssize_t n;
    const unsigned char *s = (const unsigned char *)PyUnicode_AsUTF8AndSize(flat, &n);
    if (!s) goto done;
    if (n < 2 || s[0] != ' ' || s[n - 1] != ' ') {
        PyErr_SetString(PyExc_ValueError, "a flat form starts and ends with a space");
        goto done;
    }
    /* Tokens: the text between consecutive spaces (empty between two spaces). */
    Py_ssize_t ntok = 0;
    for (Py_ssize_t i = 1; i < n; i++) if (s[i] == ' ') ntok++;
    starts = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(ntok + 1));
    lens = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(ntok + 1));
    ends = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(ntok + 1));
    vals = PyMem_Malloc(sizeof(PyObject *) * (size_t)(ntok + 1));
    hits = PyList_New(0);
    zero = PyLong_FromSsize_t(form);
    if (!starts || !lens || !ends || !vals || !hits || !zero) {
        if (!PyErr_Occurred()) PyErr_NoMemory();
        goto done;
    }
    {
        Py_ssize_t t = 0, from = 1;
        for (Py_ssize_t i = 1; i < n; i++) {
            if (s[i] == ' ') {
                starts[t] = from;
                lens[t] = i - from;
                t++;
                from = i + 1;
            }
        }
    }
    Py_ssize_t nvalues = PyList_GET_SIZE(values);
    long flags = 0;
    for (Py_ssize_t e = 0; e < ntok; e++) {
        uint32_t node = 0;
        Py_ssize_t count = 0;
        for (Py_ssize_t j = e; j >= 0; j--) {
            node = table_find(head, slots, pool, node, s + starts[j], lens[j]);
            if (node == 0) break;
            if ((Py_ssize_t)node >= nvalues) {
                PyErr_SetString(PyExc_IndexError, "node id outside the values list");
                goto done;
            }
            PyObject *value = PyList_GET_ITEM(values, node);
            if (value != Py_None) {
                ends[count] = j;
                vals[count] = value;
                count++;
            }
        }
        for (Py_ssize_t c = count - 1; c >= 0; c--) {  /* the longest phrase first */
            PyObject *value = vals[c];
            PyObject *entries = PyTuple_GET_ITEM(value, 0);
            flags |= PyLong_AsLong(PyTuple_GET_ITEM(value, 1));
            PyObject *start = PyLong_FromSsize_t(ends[c]);
            if (!start) goto done;
            for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(entries); k++) {
                PyObject *entry = PyTuple_GET_ITEM(entries, k);
                PyObject *hit = ht->tp_alloc(ht, 6);
                if (!hit) { Py_DECREF(start); goto done; }
                PyObject *items[6] = {PyTuple_GET_ITEM(entry, 0), PyTuple_GET_ITEM(entry, 1),
                                      PyTuple_GET_ITEM(entry, 2), zero, start,
                                      PyTuple_GET_ITEM(entry, 3)};
                for (int q = 0; q < 6; q++) {
                    Py_INCREF(items[q]);
                    PyTuple_SET_ITEM(hit, q, items[q]);
                }
                int rc = PyList_Append(hits, hit);
                Py_DECREF(hit);
                if (rc < 0) { Py_DECREF(start); goto done; }
            }
            Py_DECREF(start);
        }
    }
    result = Py_BuildValue("(Ol)", hits, flags);
done:
    PyBuffer_Release(&table);
    PyMem_Free(starts);
    PyMem_Free(lens);
    PyMem_Free(ends);
    PyMem_Free(vals);
    Py_XDECREF(hits);
    Py_XDECREF(zero);
    return result;
}

/* `normalise._stretch_both` on an ASCII form: every run of three or more of the same letter
 * shortened to one letter, and to two. Returns (one, two); `form` itself where nothing
 * changed. (`only` 1 or 2 builds just that one; the other is `form`.) */
static PyObject *stretch_both(PyObject *self, PyObject *args) {
    PyObject *form;
    int only = 0;
    if (!PyArg_ParseTuple(args, "U|i", &form, &only)) return NULL;
    if (!PyUnicode_IS_ASCII(form)) {
        PyErr_SetString(PyExc_ValueError, "stretch_both needs ASCII text");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(form);
    const unsigned char *s = (const unsigned char *)PyUnicode_DATA(form);
    unsigned char *one = PyMem_Malloc((size_t)n + 1), *two = PyMem_Malloc((size_t)n + 1);
    if (!one || !two) {
        PyMem_Free(one);
        PyMem_Free(two);
        return PyErr_NoMemory();
    }
    Py_ssize_t a = 0, b = 0, i = 0;
    int changed = 0;
    while (i < n) {
        unsigned char c = s[i];
        Py_ssize_t j = i + 1;
        if (is_lower(c)) while (j < n && s[j] == c) j++;
        if (is_lower(c) && j - i >= 3) {
            changed = 1;
            one[a++] = c;
            two[b++] = c;
            two[b++] = c;
        } else {
            memcpy(one + a, s + i, (size_t)(j - i));
            memcpy(two + b, s + i, (size_t)(j - i));
            a += j - i;
            b += j - i;
        }
        i = j;
    }
    PyObject *r1, *r2;
    if (!changed || only == 2) { r1 = form; Py_INCREF(r1); }
    else r1 = PyUnicode_DecodeASCII((const char *)one, a, NULL);
    if (!changed || only == 1) { r2 = form; Py_INCREF(r2); }
    else r2 = PyUnicode_DecodeASCII((const char *)two, b, NULL);
    PyMem_Free(one);
    PyMem_Free(two);
    if (!r1 || !r2) {
        Py_XDECREF(r1);
        Py_XDECREF(r2);
        return NULL;
    }
    return Py_BuildValue("(NN)", r1, r2);
}

/* `normalise._join_runs` on an ASCII form: every run of three or more one-letter words
 * (after a space, before a space) joined up; and the same keeping a leading "a", "i" or
 * "u" apart when the run has four or more letters. Returns two new strings. */
static PyObject *join_runs(PyObject *self, PyObject *arg) {
    if (!PyUnicode_Check(arg) || !PyUnicode_IS_ASCII(arg)) {
        PyErr_SetString(PyExc_ValueError, "join_runs needs ASCII text");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    const unsigned char *s = (const unsigned char *)PyUnicode_DATA(arg);
    unsigned char *j1 = PyMem_Malloc((size_t)n + 1), *j2 = PyMem_Malloc((size_t)n + 1);
    if (!j1 || !j2) {
        PyMem_Free(j1);
        PyMem_Free(j2);
        return PyErr_NoMemory();
    }
    Py_ssize_t a = 0, b = 0, i = 0;
    while (i < n) {
        /* A run starts at a letter after a space: letter, space, letter, space, ... */
        if (i > 0 && s[i - 1] == ' ' && is_lower(s[i])) {
            Py_ssize_t k = i, letters = 0;
            while (k + 1 < n && is_lower(s[k]) && s[k + 1] == ' ') {
                letters++;
                k += 2;
            }
            /* k is now past the last "x " pair; the run is `letters` letters ending at
             * k - 2, with a space at k - 1 (the lookahead). */
            if (letters >= 3) {
                Py_ssize_t end = k - 1;  /* the run is s[i .. end) */
                int keep = (s[i] == 'a' || s[i] == 'i' || s[i] == 'u') && end - i > 5;
                for (Py_ssize_t q = i; q < end; q++) {
                    if (s[q] != ' ') j1[a++] = s[q];
                }
                if (keep) {
                    j2[b++] = s[i];
                    j2[b++] = ' ';
                }
                for (Py_ssize_t q = keep ? i + 2 : i; q < end; q++) {
                    if (s[q] != ' ') j2[b++] = s[q];
                }
                i = end;
                continue;
            }
        }
        j1[a++] = s[i];
        j2[b++] = s[i];
        i++;
    }
    PyObject *r = Py_BuildValue("(s#s#)", (const char *)j1, a, (const char *)j2, b);
    PyMem_Free(j1);
    PyMem_Free(j2);
    return r;
}

/* set(text) without a string object per character: the distinct code points are marked
 * in a bitmap (the Basic Multilingual Plane) or a small list (the rest), and only they
 * become one-character strings. */
/* A str argument's storage, or -1 with TypeError set. */
static int str_arg(PyObject *arg, int *kind, const void **data, Py_ssize_t *n) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected str");
        return -1;
    }
    *kind = PyUnicode_KIND(arg);
    *data = PyUnicode_DATA(arg);
    *n = PyUnicode_GET_LENGTH(arg);
    return 0;
}

static PyObject *distinct_chars(PyObject *self, PyObject *arg) {
    int kind;
    const void *data;
    Py_ssize_t n;
    if (str_arg(arg, &kind, &data, &n) < 0) return NULL;
    unsigned char *seen = PyMem_Calloc(0x10000 / 8, 1);
    PyObject *out = PySet_New(NULL);
    if (!seen || !out) {
        PyMem_Free(seen);
        Py_XDECREF(out);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x10000) {
            if (seen[c >> 3] & (1u << (c & 7))) continue;
            seen[c >> 3] |= (unsigned char)(1u << (c & 7));
        }
        PyObject *ch = PyUnicode_FromOrdinal((int)c);
        if (!ch || PySet_Add(out, ch) < 0) {
            Py_XDECREF(ch);
            PyMem_Free(seen);
            Py_DECREF(out);
            return NULL;
        }
        Py_DECREF(ch);
    }
    PyMem_Free(seen);
    return out;
}

/* The spans of `normalise._MASKED` matches ("f*ck", "sh**t"): a run of [a-z] at the start
 * of a letter run, then one or more groups of stars and letters. Returns [(start, end)]. */
static PyObject *masked_spans(PyObject *self, PyObject *arg) {
    int kind;
    const void *data;
    Py_ssize_t n;
    if (str_arg(arg, &kind, &data, &n) < 0) return NULL;
    PyObject *out = PyList_New(0);
    if (!out) return NULL;
#define LETTER(i) ((i) < n && (i) >= 0 && PyUnicode_READ(kind, data, (i)) >= 'a' \
                   && PyUnicode_READ(kind, data, (i)) <= 'z')
#define STAR(i) ((i) < n && PyUnicode_READ(kind, data, (i)) == '*')
    Py_ssize_t i = 0;
    while (i < n) {
        if (!LETTER(i) || LETTER(i - 1)) { i++; continue; }
        Py_ssize_t start = i, end = i;
        while (LETTER(end)) end++;
        int groups = 0;
        for (;;) {
            Py_ssize_t j = end;
            while (STAR(j)) j++;
            if (j > end && LETTER(j)) {
                end = j;
                while (LETTER(end)) end++;
                groups++;
                continue;
            }
            break;
        }
        if (groups) {
            PyObject *span = Py_BuildValue("(nn)", start, end);
            if (!span || PyList_Append(out, span) < 0) {
                Py_XDECREF(span);
                Py_DECREF(out);
                return NULL;
            }
            Py_DECREF(span);
        }
        i = end > start ? end : start + 1;
    }
#undef LETTER
#undef STAR
    return out;
}

/* `normalise._flat_ascii` on ASCII text: every run of characters other than [a-z0-9]
 * becomes one space, with one space at each end (text with no word is two spaces). */
static PyObject *flat_ascii(PyObject *self, PyObject *arg) {
    if (!PyUnicode_Check(arg) || !PyUnicode_IS_ASCII(arg)) {
        PyErr_SetString(PyExc_ValueError, "flat_ascii needs ASCII text");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    const unsigned char *s = (const unsigned char *)PyUnicode_DATA(arg);
    unsigned char *out = PyMem_Malloc((size_t)n + 2);
    if (!out) return PyErr_NoMemory();
    Py_ssize_t k = 0;
    int gap = 0;  /* a separator is owed before the next word character */
    out[k++] = ' ';
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (is_lower(c) || is_digit(c)) {
            if (gap) out[k++] = ' ';
            gap = 0;
            out[k++] = c;
        } else if (k > 1) {
            gap = 1;
        }
    }
    out[k++] = ' ';
    PyObject *r = PyUnicode_DecodeASCII((const char *)out, k, NULL);
    PyMem_Free(out);
    return r;
}

static PyMethodDef methods[] = {
    {"masked_spans", masked_spans, METH_O, "Spans of masked words (letters and stars)."},
    {"flat_ascii", flat_ascii, METH_O, "The flat form of ASCII text: its words, single-spaced."},
    {"distinct_chars", distinct_chars, METH_O, "set(text), with an object per distinct character only."},
    {"stretch_both", stretch_both, METH_VARARGS,
     "(one, two): stretched letters shortened to one and to two (ASCII form)."},
    {"join_runs", join_runs, METH_O,
     "(joined, kept): split letters joined up, and the same keeping a leading a/i/u word."},
    {"build_table", build_table, METH_O,
     "The edge table of a reversed token trie, from (parent, token, child) triples."},
    {"scan_table", scan_table, METH_VARARGS,
     "(hits, flags) for one flat form, from build_table's table and the node values."},
    {"normalise_ascii", normalise_ascii, METH_O,
     "(low, flat, mentions, everyone, needs_variants) for plain ASCII text, or None when "
     "the text needs the Python path."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "groupbot.moderation._fastpath",
    "Native fast path of the moderation normaliser (see normalise.py).", -1, methods,
};

PyMODINIT_FUNC PyInit__fastpath(void) {
    PyObject *mod = PyModule_Create(&module);
    if (mod && (PyModule_AddStringConstant(mod, "MENTION_TOKEN", "zmention") < 0
                || PyModule_AddIntConstant(mod, "GATE_KNOWN", GATE_KNOWN) < 0
                || PyModule_AddIntConstant(mod, "GATE_EMAIL", GATE_EMAIL) < 0
                || PyModule_AddIntConstant(mod, "GATE_DIGIT", GATE_DIGIT) < 0
                || PyModule_AddIntConstant(mod, "GATE_NUMERIC", GATE_NUMERIC) < 0
                || PyModule_AddIntConstant(mod, "GATE_SPACE_DIGIT", GATE_SPACE_DIGIT) < 0
                || PyModule_AddIntConstant(mod, "GATE_BOX", GATE_BOX) < 0)) {
        Py_DECREF(mod);
        return NULL;
    }
    return mod;
}
