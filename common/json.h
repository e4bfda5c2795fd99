/*
 * json.h: a strict JSON (RFC 8259) reader and a writer, for the admin
 * socket's one-line requests and responses and for forkctl.
 *
 * The reader tokenizes into an array the caller provides, jsmn's shape:
 * it allocates nothing and copies nothing.  A token's subtree follows it
 * in document order; an object's children are its keys and values
 * alternating, each key one JSON_STRING token right before its value.
 * The reader accepts exactly the RFC's grammar, valid UTF-8 and paired
 * surrogate escapes; it does not check for duplicate keys, and numbers
 * stay text until json_int() reads one.
 *
 * The writer appends to a growing buffer and refuses, with a sticky
 * error, any call that would make the text invalid JSON: a value without
 * its key, a key outside an object, a close that does not match, a second
 * top-level value.  Strings are escaped and their invalid UTF-8 replaced.
 */
#ifndef FORKD_JSON_H
#define FORKD_JSON_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Containers nested deeper are refused by the reader and the writer. */
#define JSON_MAX_DEPTH		32

/* json_parse()'s errors, -errno values so log_warnc() can print them. */
#define JSON_ERR_SYNTAX		(-EBADMSG)	/* not JSON: see *ret_off */
#define JSON_ERR_NOMEM		(-ENOBUFS)	/* more tokens than ntoks */
#define JSON_ERR_DEPTH		(-EOVERFLOW)	/* nested > JSON_MAX_DEPTH */

enum json_type {
	JSON_OBJECT = 1,
	JSON_ARRAY,
	JSON_STRING,
	JSON_NUMBER,
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL
};

struct json_tok {
	enum json_type	type;
	/*
	 * Byte offsets in the input, end excluded: a string's are inside
	 * its quotes (still escaped), a container's include its brackets.
	 */
	unsigned	start;
	unsigned	end;
	unsigned	size;	/* object: members; array: elements; else 0 */
	unsigned	next;	/* the index right after this token's subtree */
};

/*
 * Parses buf[0..len), exactly one value with only whitespace around it,
 * into toks[0..ntoks).  Returns the number of tokens used (> 0), or
 * JSON_ERR_SYNTAX, JSON_ERR_NOMEM or JSON_ERR_DEPTH.  On JSON_ERR_SYNTAX
 * and JSON_ERR_DEPTH, *ret_off (if not NULL) is the offset of the byte
 * where the input stopped being acceptable (len if it ended too soon);
 * it is left alone otherwise.  An input over 4 GiB - 1 is
 * JSON_ERR_NOMEM: its offsets would not fit a token.
 */
int	json_parse(const char *buf, size_t len, struct json_tok *toks,
	    unsigned ntoks, size_t *ret_off);
/* A static sentence for one of json_parse()'s errors. */
const char *json_strerror(int err);

/*
 * In the object at index obj of toks[0..ntoks) (json_parse()'s result),
 * the index of the value of the first member whose key, unescaped,
 * equals key; -1 if there is none or obj is not an object.
 */
int	json_get(const char *buf, const struct json_tok *toks, int ntoks,
	    int obj, const char *key);
/*
 * The index of element i of the array at index arr, or of member i's
 * value if arr is an object (its key is that index - 1); -1 if out of
 * range or arr is neither.
 */
int	json_at(const struct json_tok *toks, int ntoks, int arr, unsigned i);
/*
 * Reads a number token as an integer into *ret.  Returns 0, -ERANGE if
 * it is outside int64_t or has a fraction or an exponent ("1.0", "1e3"),
 * or -EINVAL if it is not a number; *ret is set only on success.
 */
int	json_int(const char *buf, const struct json_tok *t, int64_t *ret);
/*
 * Unescapes a string token into out[0..outlen), UTF-8, NUL-terminated.
 * Returns its length (a "\u0000" in the string is a NUL byte inside it),
 * -ENOSPC if outlen is not more than that (out then holds "" if outlen
 * > 0), or -EINVAL if t is not a string.
 */
ssize_t	json_str(const char *buf, const struct json_tok *t, char *out,
	    size_t outlen);
/* 1 if t is a string that, unescaped, equals s; 0 if not. */
int	json_streq(const char *buf, const struct json_tok *t, const char *s);

/*
 * 1 if s[0..n) is well-formed UTF-8 (what a JSON string carries
 * unchanged: the writer replaces anything else), 0 if not.
 */
int	json_utf8_valid(const char *s, size_t n);

/*
 * The writer.  Fill it with the calls below and read the text from buf
 * after jw_finish() returned 0.  Once an error is set no call writes.
 */
struct jw {
	char		*buf;		/* NUL-terminated text so far */
	size_t		 len;		/* without the NUL */
	size_t		 cap;
	int		 err;		/* sticky: -ENOMEM, -EINVAL (misuse) */
	unsigned	 depth;		/* open containers */
	int		 key;		/* a key waits for its value */
	int		 done;		/* the top-level value has begun */
	unsigned char	 open[JSON_MAX_DEPTH];	/* JW_OBJ/JW_ARR | JW_MORE */
};

void	jw_init(struct jw *w);
/* Empties w for a new document, keeping its buffer. */
void	jw_reset(struct jw *w);
/* Frees the buffer and leaves w as jw_init() did; NULL does nothing. */
void	jw_free(struct jw *w);

void	jw_obj_open(struct jw *w);
void	jw_obj_close(struct jw *w);
void	jw_arr_open(struct jw *w);
void	jw_arr_close(struct jw *w);
/* Inside an object, before each value.  Escaped as jw_str(). */
void	jw_key(struct jw *w, const char *key);
/*
 * A string: '"', '\\' and bytes below 0x20 escaped ("\u001f"), valid
 * UTF-8 kept, each maximal ill-formed sequence replaced by U+FFFD.
 * jw_str(w, NULL) writes null.
 */
void	jw_str(struct jw *w, const char *s);
void	jw_strn(struct jw *w, const char *s, size_t n);
void	jw_int(struct jw *w, int64_t v);
void	jw_uint(struct jw *w, uint64_t v);
/* v in fixed point, decimals (0 to 17) digits; NaN and infinities: null. */
void	jw_double(struct jw *w, double v, int decimals);
void	jw_bool(struct jw *w, int v);
void	jw_null(struct jw *w);
/*
 * s[0..n) as it is when it is one JSON value of at most JW_JSON_TOKS
 * tokens (checked with json_parse), else as a string: a document another
 * process wrote.
 */
#define JW_JSON_TOKS	1024
void	jw_json(struct jw *w, const char *s, size_t n);
/*
 * Returns 0 when buf holds one complete JSON value, NUL-terminated, len
 * bytes; w->err if set; else -EINVAL (and sets it) when a container is
 * still open or nothing was written.
 */
int	jw_finish(struct jw *w);

#endif
