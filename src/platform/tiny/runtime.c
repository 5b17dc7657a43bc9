// The tiny platform's native half: a QuickJS runtime that runs notify's bytecode, an event loop
// (timers in JavaScript, HTTP through libcurl's multi interface, signals through a self-pipe),
// and the few calls src/platform/tiny.ts makes (`__native`). Nothing here knows about Slack,
// CI or messages: it moves bytes, and says why it could not.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <mbedtls/oid.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <quickjs.h>

extern char **environ;
extern const uint8_t notify_bytecode[];
extern const uint32_t notify_bytecode_size;
// Parts of the program evaluated on first use (src/platform/tiny/parts.ts).
extern const uint8_t notify_part_core_js[], notify_part_yargs[];
extern const uint32_t notify_part_core_js_size, notify_part_yargs_size;
// Mozilla's CA list (Debian's ca-certificates), for where no system bundle is found.
extern const unsigned char notify_ca_bundle[];
extern const unsigned notify_ca_bundle_size;

static JSRuntime *rt;
static JSContext *ctx;
static int argc_;
static char **argv_;

// ---------------------------------------------------------------------------------------------
// Small helpers

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/** errno as Node names it (EACCES…): messages and tests read these names. */
static const char *errno_name(int e) {
  switch (e) {
  case EACCES: return "EACCES";
  case EPERM: return "EPERM";
  case ENOENT: return "ENOENT";
  case ENOTDIR: return "ENOTDIR";
  case EISDIR: return "EISDIR";
  case ELOOP: return "ELOOP";
  case ENAMETOOLONG: return "ENAMETOOLONG";
  case EMFILE: return "EMFILE";
  case ENFILE: return "ENFILE";
  case ENOSPC: return "ENOSPC";
  case EROFS: return "EROFS";
  case EIO: return "EIO";
  case EEXIST: return "EEXIST";
  case ENXIO: return "ENXIO";
  case EAGAIN: return "EAGAIN";
  case EINVAL: return "EINVAL";
  case EXDEV: return "EXDEV";
  case EBUSY: return "EBUSY";
  case ETXTBSY: return "ETXTBSY";
  case EDQUOT: return "EDQUOT";
  case ENOMEM: return "ENOMEM";
  case ECONNREFUSED: return "ECONNREFUSED";
  case ECONNRESET: return "ECONNRESET";
  case ETIMEDOUT: return "ETIMEDOUT";
  case EHOSTUNREACH: return "EHOSTUNREACH";
  case ENETUNREACH: return "ENETUNREACH";
  case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
  case EPIPE: return "EPIPE";
  default: return "EIO";
  }
}

static JSValue throw_errno(JSContext *c, int e, const char *syscall, const char *path) {
  JSValue error = JS_NewError(c);
  char message[PATH_MAX + 128];
  snprintf(message, sizeof message, "%s: %s, %s '%s'", errno_name(e), strerror(e), syscall,
           path);
  JS_SetPropertyStr(c, error, "message", JS_NewString(c, message));
  JS_SetPropertyStr(c, error, "code", JS_NewString(c, errno_name(e)));
  return JS_Throw(c, error);
}

/** Writes all of `len` bytes; false on an error other than an interruption. */
static int write_all(int fd, const char *p, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        // A non-blocking stdout shared with another process: wait a little for room, bounded.
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        if (poll(&pfd, 1, 1000) > 0) continue;
      }
      return 0;
    }
    p += n;
    len -= (size_t)n;
  }
  return 1;
}

// ---------------------------------------------------------------------------------------------
// Environment, arguments, files, output

static JSValue js_env(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  JSValue env = JS_NewObject(c);
  for (char **entry = environ; entry && *entry; entry++) {
    const char *eq = strchr(*entry, '=');
    if (!eq || eq == *entry) continue;
    JSAtom name = JS_NewAtomLen(c, *entry, (size_t)(eq - *entry));
    // The first definition wins, as getenv() sees it.
    if (!JS_HasProperty(c, env, name))
      JS_SetProperty(c, env, name, JS_NewStringLen(c, eq + 1, strlen(eq + 1)));
    JS_FreeAtom(c, name);
  }
  return env;
}

static JSValue js_argv(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  JSValue list = JS_NewArray(c);
  for (int i = 1; i < argc_; i++)
    JS_SetPropertyUint32(c, list, (uint32_t)(i - 1), JS_NewStringLen(c, argv_[i], strlen(argv_[i])));
  return list;
}

static JSValue js_cwd(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  char buf[PATH_MAX];
  if (!getcwd(buf, sizeof buf)) return JS_UNDEFINED;
  return JS_NewString(c, buf);
}

/**
 * readFile(path, maxBytes): the text, or [problem, code] — never blocks (O_NONBLOCK, regular
 * files only) and never reads more than maxBytes + 1 bytes.
 */
static JSValue file_problem(JSContext *c, const char *problem, const char *code) {
  JSValue result = JS_NewArray(c);
  JS_SetPropertyUint32(c, result, 0, JS_NewString(c, problem));
  JS_SetPropertyUint32(c, result, 1, code ? JS_NewString(c, code) : JS_UNDEFINED);
  return result;
}

static JSValue js_read_file(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  const char *path = JS_ToCString(c, argv[0]);
  int64_t max;
  if (!path) return JS_EXCEPTION;
  if (JS_ToInt64(c, &max, argv[1]) || max < 0) {
    JS_FreeCString(c, path);
    return JS_ThrowRangeError(c, "maxBytes");
  }
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  JS_FreeCString(c, path);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT || e == ENOTDIR) return file_problem(c, "missing", NULL);
    return file_problem(c, "unreadable", errno_name(e));
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return file_problem(c, "unreadable", errno_name(e));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return file_problem(c, "not a regular file", NULL);
  }
  size_t cap = 64 * 1024, total = 0;
  char *buf = malloc(cap);
  if (!buf) {
    close(fd);
    return JS_ThrowOutOfMemory(c);
  }
  for (;;) {
    if (total == cap) {
      char *bigger = realloc(buf, cap * 2);
      if (!bigger) {
        free(buf);
        close(fd);
        return JS_ThrowOutOfMemory(c);
      }
      buf = bigger;
      cap *= 2;
    }
    size_t want = cap - total;
    if ((int64_t)(total + want) > max + 1) want = (size_t)(max + 1 - (int64_t)total);
    ssize_t n = read(fd, buf + total, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      free(buf);
      close(fd);
      return file_problem(c, "unreadable", errno_name(e));
    }
    if (n == 0) break;
    total += (size_t)n;
    if ((int64_t)total > max) {
      free(buf);
      close(fd);
      return file_problem(c, "too large", NULL);
    }
  }
  close(fd);
  JSValue text = JS_NewStringLen(c, buf, total);
  free(buf);
  return text;
}

/** writeFile(path, text): a temporary file renamed over the old one, mode 0600. */
static JSValue js_write_file(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  size_t len;
  const char *path = JS_ToCString(c, argv[0]);
  const char *text = path ? JS_ToCStringLen(c, &len, argv[1]) : NULL;
  JSValue result = JS_UNDEFINED;
  if (!path || !text) {
    result = JS_EXCEPTION;
    goto done;
  }
  // A new file of a name nobody can guess: never one that was there (a link) before.
  char temporary[PATH_MAX + 48];
  uint64_t nonce = 0;
  if (getrandom(&nonce, sizeof nonce, GRND_NONBLOCK) != sizeof nonce) nonce = (uint64_t)now_ms();
  snprintf(temporary, sizeof temporary, "%s.%ld.%016llx.tmp", path, (long)getpid(),
           (unsigned long long)nonce);
  int fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    result = throw_errno(c, errno, "open", temporary);
    goto done;
  }
  int ok = write_all(fd, text, len);
  int e = errno;
  if (close(fd) != 0 && ok) {
    ok = 0;
    e = errno;
  }
  if (!ok) {
    unlink(temporary);
    result = throw_errno(c, e, "write", temporary);
  } else if (rename(temporary, path) != 0) {
    e = errno;
    unlink(temporary);
    result = throw_errno(c, e, "rename", path);
  }
done:
  JS_FreeCString(c, path);
  JS_FreeCString(c, text);
  return result;
}

static JSValue js_append_file(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  size_t len;
  const char *path = JS_ToCString(c, argv[0]);
  const char *text = path ? JS_ToCStringLen(c, &len, argv[1]) : NULL;
  JSValue result = JS_UNDEFINED;
  if (!path || !text) {
    result = JS_EXCEPTION;
    goto done;
  }
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0666);
  if (fd < 0) {
    result = throw_errno(c, errno, "open", path);
    goto done;
  }
  if (!write_all(fd, text, len)) result = throw_errno(c, errno, "write", path);
  close(fd);
done:
  JS_FreeCString(c, path);
  JS_FreeCString(c, text);
  return result;
}

/** write(fd, text): standard output or error; a reader that went away is ignored. */
static JSValue js_write(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  int fd;
  size_t len;
  if (JS_ToInt32(c, &fd, argv[0])) return JS_EXCEPTION;
  if (fd != 1 && fd != 2) return JS_ThrowRangeError(c, "fd");
  const char *text = JS_ToCStringLen(c, &len, argv[1]);
  if (!text) return JS_EXCEPTION;
  write_all(fd, text, len);
  JS_FreeCString(c, text);
  return JS_UNDEFINED;
}

/** builtinCa(): the CA list built in, as PEM text. */
static JSValue js_builtin_ca(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  return JS_NewStringLen(c, (const char *)notify_ca_bundle, notify_ca_bundle_size);
}

/** now(): milliseconds of a clock that never steps back, for timers. */
static JSValue js_now(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  return JS_NewInt64(c, now_ms());
}

static JSValue js_exit(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  int code = 1;
  JS_ToInt32(c, &code, argv[0]);
  // Every write above went straight to its file descriptor: nothing is left to flush, and a
  // transfer still open (a proxy that never answered) must not hold the job.
  _exit(code & 0xff);
}

// ---------------------------------------------------------------------------------------------
// Signals: the handler only writes the signal's number into a pipe the loop polls.

static int signal_pipe[2] = {-1, -1};
static const int SIGNALS[] = {SIGTERM, SIGINT, SIGHUP};

static void on_signal(int sig) {
  int saved = errno;
  unsigned char byte = (unsigned char)sig;
  (void)!write(signal_pipe[1], &byte, 1);
  errno = saved;
}

/** signals(on): handle SIGTERM, SIGINT and SIGHUP (as PID 1 too), or give them back. */
static JSValue js_signals(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  int on = JS_ToBool(c, argv[0]);
  struct sigaction action;
  memset(&action, 0, sizeof action);
  sigemptyset(&action.sa_mask);
  action.sa_handler = on ? on_signal : SIG_DFL;
  for (size_t i = 0; i < sizeof SIGNALS / sizeof SIGNALS[0]; i++) sigaction(SIGNALS[i], &action, NULL);
  return JS_UNDEFINED;
}

static const char *signal_name(int sig) {
  switch (sig) {
  case SIGTERM: return "SIGTERM";
  case SIGINT: return "SIGINT";
  case SIGHUP: return "SIGHUP";
  default: return "SIGTERM";
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP: one POST (or GET) per transfer, in libcurl's multi interface, timed in phases as the Node
// platform times them: connecting, waiting for the answer, reading a non-2xx body, and the grace
// a 2xx body gets once its status is in.

enum phase { CONNECTING, WAITING, READING, GRACE };

/** A host given as an IP address, in the bytes a certificate's iPAddress name holds. */
struct address {
  size_t len; // 0: a name, not an address
  unsigned char bytes[16];
  uint32_t *flags; // where the chain's verdict is kept
};

struct transfer {
  struct transfer *next;
  int id;
  CURL *easy;
  JSValue callback;
  struct curl_slist *headers;
  char *body;
  int secure;
  int proxied;
  int proxy_tls;
  int tls_setups;
  uint32_t verify_flags; // mbed TLS's verdict on the chain: why a certificate was refused
  struct address target_ip, proxy_ip;
  enum phase phase;
  int64_t phase_end;
  int64_t response_ms, grace_ms;
  long status;
  int ok;          // a 2xx status line and its headers are in
  int truncated;   // more body came than the limit
  int aborted;
  char *head;      // the final response's header lines
  size_t head_len, head_cap;
  char *resp;
  size_t resp_len, resp_cap, resp_limit;
  char error[CURL_ERROR_SIZE];
};

static CURLM *multi;
static struct transfer *transfers;
static void die_with_exception(void);
static int next_id = 1;

static int grow(char **buf, size_t *cap, size_t need) {
  if (need <= *cap) return 1;
  size_t cap2 = *cap ? *cap : 1024;
  while (cap2 < need) cap2 *= 2;
  char *bigger = realloc(*buf, cap2);
  if (!bigger) return 0;
  *buf = bigger;
  *cap = cap2;
  return 1;
}

#define HEAD_MAX (256 * 1024)

static size_t on_header(char *data, size_t size, size_t n, void *user) {
  struct transfer *t = user;
  size_t len = size * n;
  if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
    // A new response (after a 100 Continue, say): only the last one counts.
    t->head_len = 0;
    t->status = 0;
    const char *space = memchr(data, ' ', len);
    if (space) t->status = strtol(space + 1, NULL, 10);
  }
  if ((len == 2 && data[0] == '\r') || (len == 1 && data[0] == '\n')) {
    // The end of a header block: an interim 1xx answer goes on waiting.
    if (t->status >= 200) {
      t->ok = t->status < 300;
      t->phase = t->ok ? GRACE : READING;
      t->phase_end = now_ms() + (t->ok ? t->grace_ms : t->response_ms);
    }
    return len;
  }
  if (t->head_len + len > HEAD_MAX) return len;
  if (!grow(&t->head, &t->head_cap, t->head_len + len)) return 0;
  memcpy(t->head + t->head_len, data, len);
  t->head_len += len;
  return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *user) {
  struct transfer *t = user;
  size_t len = size * n;
  size_t room = t->resp_limit - t->resp_len;
  size_t keep = len < room ? len : room;
  if (keep && grow(&t->resp, &t->resp_cap, t->resp_len + keep)) {
    memcpy(t->resp + t->resp_len, data, keep);
    t->resp_len += keep;
  }
  if (keep < len) {
    t->truncated = 1;
    // A 2xx answer is the answer: no need to read a body past the limit.
    if (t->ok) return 0;
  }
  return len;
}

static void parse_address(const char *host, struct address *out) {
  out->len = 0;
  if (inet_pton(AF_INET, host, out->bytes) == 1) out->len = 4;
  else if (inet_pton(AF_INET6, host, out->bytes) == 1) out->len = 16;
}

/**
 * mbed TLS 2.28 checks a host given as an IP address as if it were a name: against DNS names, or
 * the CN. For such a host the certificate's iPAddress names alone decide, exactly (RFC 6125), as
 * browsers and Node do: a DNS name or a CN that reads "127.0.0.1" does not match.
 */
static int verify_address(void *data, mbedtls_x509_crt *crt, int depth, uint32_t *flags) {
  const struct address *expected = data;
  if (depth != 0 || !expected->len) {
    *expected->flags |= *flags;
    return 0;
  }
  int match = 0;
  if (crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME) {
    for (const mbedtls_x509_sequence *name = &crt->subject_alt_names; name; name = name->next) {
      if (name->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_IP_ADDRESS) &&
          name->buf.len == expected->len &&
          memcmp(name->buf.p, expected->bytes, expected->len) == 0) {
        match = 1;
        break;
      }
    }
  }
  if (match) *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
  else *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
  *expected->flags |= *flags;
  return 0;
}

/**
 * The trusted CAs, parsed from PEM text once per run (the text is the same for every request).
 * mbed TLS's own PEM reader decodes base64 in constant time, made for private keys: for a
 * system's bundle of 150 public certificates that is half a billion instructions, 30 ms. They
 * are decoded here, then parsed as DER.
 */
static mbedtls_x509_crt ca_chain;
static char *ca_text;
static size_t ca_text_len;

static int base64_value(unsigned char ch) {
  if (ch >= 'A' && ch <= 'Z') return ch - 'A';
  if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
  if (ch >= '0' && ch <= '9') return ch - '0' + 52;
  if (ch == '+') return 62;
  if (ch == '/') return 63;
  return -1;
}

static int trusted_cas(const char *pem, size_t len) {
  if (ca_text && ca_text_len == len && memcmp(ca_text, pem, len) == 0) return 1;
  mbedtls_x509_crt_free(&ca_chain);
  mbedtls_x509_crt_init(&ca_chain);
  free(ca_text);
  ca_text = malloc(len + 1);
  if (!ca_text) return 0;
  memcpy(ca_text, pem, len);
  ca_text_len = len;
  static const char begin[] = "-----BEGIN CERTIFICATE-----", end[] = "-----END CERTIFICATE-----";
  const char *p = pem, *stop = pem + len;
  unsigned char *der = malloc(len / 4 * 3 + 3);
  if (!der) return 0;
  for (;;) {
    const char *from = memmem(p, (size_t)(stop - p), begin, sizeof begin - 1);
    if (!from) break;
    from += sizeof begin - 1;
    const char *to = memmem(from, (size_t)(stop - from), end, sizeof end - 1);
    if (!to) break;
    size_t n = 0;
    unsigned bits = 0, count = 0;
    int bad = 0;
    for (const char *q = from; q < to; q++) {
      unsigned char ch = (unsigned char)*q;
      if (ch == '\r' || ch == '\n' || ch == ' ' || ch == '\t') continue;
      if (ch == '=') break;
      int v = base64_value(ch);
      if (v < 0) {
        bad = 1;
        break;
      }
      bits = (bits << 6) | (unsigned)v;
      if (++count == 4) {
        der[n++] = (unsigned char)(bits >> 16);
        der[n++] = (unsigned char)(bits >> 8);
        der[n++] = (unsigned char)bits;
        bits = count = 0;
      }
    }
    if (count == 2) der[n++] = (unsigned char)(bits >> 4);
    if (count == 3) {
      der[n++] = (unsigned char)(bits >> 10);
      der[n++] = (unsigned char)(bits >> 2);
    }
    // A certificate that does not parse is left out, as mbed TLS's PEM reader leaves it out.
    if (!bad && n) mbedtls_x509_crt_parse_der(&ca_chain, der, n);
    p = to + sizeof end - 1;
  }
  free(der);
  return 1;
}

/** Called by libcurl as it sets up each TLS connection: the proxy's first, if any, then Slack's. */
static CURLcode on_tls_setup(CURL *easy, void *config, void *user) {
  struct transfer *t = user;
  struct address *expected = t->proxy_tls && t->tls_setups == 0 ? &t->proxy_ip : &t->target_ip;
  t->tls_setups++;
  t->verify_flags = 0;
  expected->flags = &t->verify_flags;
  mbedtls_ssl_conf_verify(config, verify_address, expected);
  // An empty chain trusts nothing: every certificate is then refused.
  mbedtls_ssl_conf_ca_chain(config, &ca_chain, NULL);
  return CURLE_OK;
}

/**
 * TLS's randomness, from getrandom(2): mbed TLS would read /dev/urandom, which a FROM-scratch
 * image or a bare chroot does not have. (mbed TLS is built with MBEDTLS_NO_PLATFORM_ENTROPY and
 * MBEDTLS_ENTROPY_HARDWARE_ALT: this is its only source.)
 */
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = getrandom(output + done, len - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += (size_t)n;
  }
  *olen = done;
  return done == len ? 0 : -1;
}

static struct transfer *find_transfer(int id) {
  for (struct transfer *t = transfers; t; t = t->next)
    if (t->id == id) return t;
  return NULL;
}

static void free_transfer(struct transfer *t) {
  struct transfer **link = &transfers;
  while (*link && *link != t) link = &(*link)->next;
  if (*link) *link = t->next;
  curl_multi_remove_handle(multi, t->easy);
  curl_easy_cleanup(t->easy);
  curl_slist_free_all(t->headers);
  JS_FreeValue(ctx, t->callback);
  free(t->body);
  free(t->head);
  free(t->resp);
  free(t);
}

/** Calls the transfer's callback once with an answer or an error, then frees it. */
static void settle_answer(struct transfer *t, int complete) {
  JSValue answer = JS_NewObject(ctx);
  JS_SetPropertyStr(ctx, answer, "status", JS_NewInt32(ctx, (int32_t)t->status));
  JS_SetPropertyStr(ctx, answer, "head", JS_NewStringLen(ctx, t->head ? t->head : "", t->head_len));
  JS_SetPropertyStr(ctx, answer, "body", JS_NewStringLen(ctx, t->resp ? t->resp : "", t->resp_len));
  JS_SetPropertyStr(ctx, answer, "complete", JS_NewBool(ctx, complete && !t->truncated));
  JSValue callback = JS_DupValue(ctx, t->callback);
  free_transfer(t);
  JSValue result = JS_Call(ctx, callback, JS_UNDEFINED, 1, (JSValueConst *)&answer);
  if (JS_IsException(result)) die_with_exception();
  JS_FreeValue(ctx, result);
  JS_FreeValue(ctx, callback);
  JS_FreeValue(ctx, answer);
}

static void settle_error(struct transfer *t, const char *code, const char *message) {
  JSValue failure = JS_NewObject(ctx);
  JS_SetPropertyStr(ctx, failure, "code", JS_NewString(ctx, code));
  JS_SetPropertyStr(ctx, failure, "message", JS_NewString(ctx, message));
  JSValue callback = JS_DupValue(ctx, t->callback);
  free_transfer(t);
  JSValue result = JS_Call(ctx, callback, JS_UNDEFINED, 1, (JSValueConst *)&failure);
  if (JS_IsException(result)) die_with_exception();
  JS_FreeValue(ctx, result);
  JS_FreeValue(ctx, callback);
  JS_FreeValue(ctx, failure);
}

/** A curl error as the codes the logic knows (Node's names): src/http.ts explains them. */
static const char *error_code(struct transfer *t, CURLcode result, char *message, size_t size) {
  long os_errno = 0, connect_code = 0;
  curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &os_errno);
  curl_easy_getinfo(t->easy, CURLINFO_HTTP_CONNECTCODE, &connect_code);
  snprintf(message, size, "%s", t->error[0] ? t->error : curl_easy_strerror(result));
  if (t->proxied && connect_code >= 300) {
    // The proxy refused the tunnel: the logic reads its status from the message.
    snprintf(message, size, "proxy answered CONNECT with HTTP/1.1 %ld", connect_code);
    return "ERR_PROXY_TUNNEL";
  }
  switch (result) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    return "ENOTFOUND";
  case CURLE_COULDNT_CONNECT:
    return os_errno ? errno_name((int)os_errno) : "ECONNREFUSED";
  case CURLE_OPERATION_TIMEDOUT:
    return t->phase == CONNECTING ? "CONNECT_TIMEOUT" : "RESPONSE_TIMEOUT";
  case CURLE_PEER_FAILED_VERIFICATION: {
    // As OpenSSL (and Node) report it: the chain first, then the dates, then the name.
    uint32_t f = t->verify_flags;
    if (f & MBEDTLS_X509_BADCERT_NOT_TRUSTED) return "UNABLE_TO_VERIFY_LEAF_SIGNATURE";
    if (f & MBEDTLS_X509_BADCERT_REVOKED) return "CERT_REVOKED";
    if (f & MBEDTLS_X509_BADCERT_EXPIRED) return "CERT_HAS_EXPIRED";
    if (f & MBEDTLS_X509_BADCERT_FUTURE) return "CERT_NOT_YET_VALID";
    if (f & MBEDTLS_X509_BADCERT_CN_MISMATCH) return "ERR_TLS_CERT_ALTNAME_INVALID";
    if (f & (MBEDTLS_X509_BADCERT_KEY_USAGE | MBEDTLS_X509_BADCERT_EXT_KEY_USAGE))
      return "ERR_TLS_CERT_INVALID_PURPOSE";
    if (f & (MBEDTLS_X509_BADCERT_BAD_MD | MBEDTLS_X509_BADCERT_BAD_PK | MBEDTLS_X509_BADCERT_BAD_KEY))
      return "ERR_TLS_CERT_WEAK_KEY";
    return "CERT_UNTRUSTED";
  }
  case CURLE_SSL_CACERT_BADFILE:
    return "CERT_UNTRUSTED";
  case CURLE_SSL_CONNECT_ERROR:
    // Most often the other end does not speak TLS at all (an https:// URL on a plain port).
    return strstr(t->error, "(-0x7780)") || strstr(t->error, "(-0x7080)") ? "ERR_SSL_HANDSHAKE_FAILURE"
                                                                       : "EPROTO";
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_WEIRD_SERVER_REPLY:
  case CURLE_HTTP_RETURNED_ERROR:
    return "HPE_INVALID_CONSTANT";
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
    return os_errno == EPIPE ? "EPIPE" : "ECONNRESET";
  case CURLE_PROXY:
    return "ERR_PROXY_TUNNEL";
  default:
    return "EIO";
  }
}

static void finish(struct transfer *t, CURLcode result) {
  if (result == CURLE_OK) return settle_answer(t, 1);
  // Once a 2xx answer is in, a broken or cut body does not undo it.
  if (t->ok) return settle_answer(t, 0);
  char message[CURL_ERROR_SIZE + 64];
  const char *code = error_code(t, result, message, sizeof message);
  settle_error(t, code, message);
}

/**
 * Moves transfers from connecting to waiting, and ends those whose phase ran out. After each end
 * the list is read again from its start: the callback that ran may have ended others.
 */
static void check_phases(void) {
  for (int again = 1; again;) {
    again = 0;
    int64_t now = now_ms();
    for (struct transfer *t = transfers; t; t = t->next) {
      if (t->phase == CONNECTING) {
        curl_off_t connected = 0, handshaken = 0;
        curl_easy_getinfo(t->easy, CURLINFO_CONNECT_TIME_T, &connected);
        curl_easy_getinfo(t->easy, CURLINFO_APPCONNECT_TIME_T, &handshaken);
        if (connected > 0 && (!t->secure || t->proxied || handshaken > 0)) {
          t->phase = WAITING;
          t->phase_end = now + t->response_ms;
        }
      }
      if (now < t->phase_end) continue;
      switch (t->phase) {
      case CONNECTING: settle_error(t, "CONNECT_TIMEOUT", "connect timeout"); break;
      case WAITING: settle_error(t, "RESPONSE_TIMEOUT", "response timeout"); break;
      case READING: settle_error(t, "RESPONSE_TIMEOUT", "response body timeout"); break;
      case GRACE: settle_answer(t, 0); break;
      }
      again = 1;
      break;
    }
  }
}

static int64_t next_phase_end(void) {
  int64_t soonest = -1;
  for (struct transfer *t = transfers; t; t = t->next)
    if (soonest < 0 || t->phase_end < soonest) soonest = t->phase_end;
  return soonest;
}

static int get_int(JSContext *c, JSValueConst obj, const char *name, int64_t *out) {
  JSValue v = JS_GetPropertyStr(c, obj, name);
  int r = JS_ToInt64(c, out, v);
  JS_FreeValue(c, v);
  return r;
}

/** A string property as a malloc'ed C string ("" when absent); NULL after an exception. */
static char *get_string(JSContext *c, JSValueConst obj, const char *name, size_t *plen) {
  JSValue v = JS_GetPropertyStr(c, obj, name);
  size_t len = 0;
  const char *s = JS_IsUndefined(v) ? "" : JS_ToCStringLen(c, &len, v);
  char *copy = NULL;
  if (s) {
    copy = malloc(len + 1);
    if (copy) {
      memcpy(copy, s, len);
      copy[len] = 0;
    }
    if (!JS_IsUndefined(v)) JS_FreeCString(c, s);
  }
  JS_FreeValue(c, v);
  if (plen) *plen = len;
  return copy;
}

/**
 * http(request, callback) → id. request: url, method ("GET", "POST" or "PATCH"), body, headers (array of "name: value"), proxy
 * ("" for none: the logic applied NO_PROXY), host and proxyHost (names without brackets), ca (PEM text, "" for
 * none), connectTimeoutMs,
 * responseTimeoutMs, okBodyGraceMs, bodyLimitBytes. The callback gets {status, head, body,
 * complete} or {code, message}, once.
 */
static JSValue js_http(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  JSValueConst request = argv[0];
  if (!JS_IsFunction(c, argv[1])) return JS_ThrowTypeError(c, "callback");
  struct transfer *t = calloc(1, sizeof *t);
  if (!t) return JS_ThrowOutOfMemory(c);
  t->callback = JS_UNDEFINED;
  int64_t connect_ms, response_ms, grace_ms, limit;
  size_t body_len = 0, ca_len = 0;
  char *url = NULL, *proxy = NULL, *ca = NULL, *host = NULL, *proxy_host = NULL, *method = NULL;
  JSValue headers = JS_UNDEFINED;
  if (get_int(c, request, "connectTimeoutMs", &connect_ms) ||
      get_int(c, request, "responseTimeoutMs", &response_ms) ||
      get_int(c, request, "okBodyGraceMs", &grace_ms) ||
      get_int(c, request, "bodyLimitBytes", &limit))
    goto fail;
  if (!(url = get_string(c, request, "url", NULL)) ||
      !(t->body = get_string(c, request, "body", &body_len)) ||
      !(proxy = get_string(c, request, "proxy", NULL)) ||
      !(ca = get_string(c, request, "ca", &ca_len)) ||
      !(host = get_string(c, request, "host", NULL)) ||
      !(proxy_host = get_string(c, request, "proxyHost", NULL)) ||
      !(method = get_string(c, request, "method", NULL)))
    goto fail;
  int get = strcmp(method, "GET") == 0;
  parse_address(host, &t->target_ip);
  parse_address(proxy_host, &t->proxy_ip);
  t->proxy_tls = strncmp(proxy, "https:", 6) == 0;
  headers = JS_GetPropertyStr(c, request, "headers");
  for (uint32_t i = 0;; i++) {
    JSValue header = JS_GetPropertyUint32(c, headers, i);
    if (JS_IsUndefined(header)) break;
    const char *line = JS_ToCString(c, header);
    JS_FreeValue(c, header);
    if (!line) goto fail;
    t->headers = curl_slist_append(t->headers, line);
    JS_FreeCString(c, line);
  }
  // libcurl adds these unless told not to; the Node platform sends neither.
  t->headers = curl_slist_append(t->headers, "Expect:");
  t->headers = curl_slist_append(t->headers, "Accept:");

  t->easy = curl_easy_init();
  if (!t->easy) goto oom;
  t->id = next_id++;
  t->secure = strncmp(url, "https:", 6) == 0;
  t->proxied = proxy[0] != 0;
  t->phase = CONNECTING;
  t->phase_end = now_ms() + connect_ms;
  t->response_ms = response_ms;
  t->grace_ms = grace_ms;
  t->resp_limit = (size_t)limit;
  CURL *e = t->easy;
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  if (get) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    // An edit (Discord's PATCH) sends its body like a POST, under its own name.
    if (strcmp(method, "PATCH") == 0) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PATCH");
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  // "" turns proxies off whatever the environment says: the logic chose, from its settings.
  curl_easy_setopt(e, CURLOPT_PROXY, proxy);
  // The logic decided whether the proxy applies (NO_PROXY included): libcurl must not decide again
  // from the environment.
  curl_easy_setopt(e, CURLOPT_NOPROXY, "");
  // One connection per request, as on Node (keepAlive: false): a reused connection would never
  // report a connect time, and its request would be timed as a connect.
  curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
  // A transfer ended while its name is still being resolved must not wait for the resolver.
  curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
  curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(e, CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, on_tls_setup);
  curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, t);
  // The CAs are given to mbed TLS in on_tls_setup, parsed once per run (trusted_cas).
  if (ca_len && !trusted_cas(ca, ca_len)) goto oom;
  // Our phases bound the transfer; these only keep curl's own limits out of the way.
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(connect_ms + response_ms));
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, 0L);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  if (curl_multi_add_handle(multi, e) != CURLM_OK) goto oom;
  t->callback = JS_DupValue(c, argv[1]);
  t->next = transfers;
  transfers = t;
  free(url);
  free(proxy);
  free(ca);
  free(host);
  free(proxy_host);
  free(method);
  JS_FreeValue(c, headers);
  return JS_NewInt32(c, t->id);
oom:
  JS_ThrowOutOfMemory(c);
fail:
  if (t->easy) curl_easy_cleanup(t->easy);
  curl_slist_free_all(t->headers);
  free(t->body);
  free(t);
  free(url);
  free(proxy);
  free(ca);
  free(host);
  free(proxy_host);
  free(method);
  JS_FreeValue(c, headers);
  return JS_EXCEPTION;
}

/** httpAbort(id): a 2xx answer already in is kept (its body cut short); anything else fails. */
static JSValue js_http_abort(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  int id;
  if (JS_ToInt32(c, &id, argv[0])) return JS_EXCEPTION;
  struct transfer *t = find_transfer(id);
  if (!t) return JS_UNDEFINED;
  if (t->ok) settle_answer(t, 0);
  else settle_error(t, "ABORT_ERR", "aborted");
  return JS_UNDEFINED;
}

/** load(name): evaluates one of the program's parts, once. */
static JSValue js_load(JSContext *c, JSValueConst this_val, int argc, JSValueConst *argv) {
  static const struct {
    const char *name;
    const uint8_t *bytes;
    const uint32_t *size;
  } parts[] = {{"core-js", notify_part_core_js, &notify_part_core_js_size},
               {"yargs", notify_part_yargs, &notify_part_yargs_size}};
  static int loaded[sizeof parts / sizeof parts[0]];
  const char *name = JS_ToCString(c, argv[0]);
  if (!name) return JS_EXCEPTION;
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    if (strcmp(name, parts[i].name) != 0) continue;
    JS_FreeCString(c, name);
    if (loaded[i]) return JS_UNDEFINED;
    JSValue program = JS_ReadObject(c, parts[i].bytes, *parts[i].size, JS_READ_OBJ_BYTECODE);
    if (JS_IsException(program)) return JS_EXCEPTION;
    JSValue result = JS_EvalFunction(c, program);
    if (JS_IsException(result)) return JS_EXCEPTION;
    JS_FreeValue(c, result);
    loaded[i] = 1;
    return JS_UNDEFINED;
  }
  JS_FreeCString(c, name);
  return JS_ThrowRangeError(c, "no such part");
}

static const JSCFunctionListEntry NATIVE[] = {
    JS_CFUNC_DEF("load", 1, js_load),
    JS_CFUNC_DEF("env", 0, js_env),
    JS_CFUNC_DEF("argv", 0, js_argv),
    JS_CFUNC_DEF("cwd", 0, js_cwd),
    JS_CFUNC_DEF("readFile", 2, js_read_file),
    JS_CFUNC_DEF("writeFile", 2, js_write_file),
    JS_CFUNC_DEF("appendFile", 2, js_append_file),
    JS_CFUNC_DEF("write", 2, js_write),
    JS_CFUNC_DEF("exit", 1, js_exit),
    JS_CFUNC_DEF("now", 0, js_now),
    JS_CFUNC_DEF("builtinCa", 0, js_builtin_ca),
    JS_CFUNC_DEF("signals", 1, js_signals),
    JS_CFUNC_DEF("http", 2, js_http),
    JS_CFUNC_DEF("httpAbort", 1, js_http_abort),
};

// ---------------------------------------------------------------------------------------------
// Memory. QuickJS makes many small blocks and asks each one's size; musl's malloc is slow at
// both. Blocks of up to 256 bytes (most of them) come from 64 KiB chunks in 16-byte classes, each
// with a free list; larger ones from malloc. Every block carries its size in a 16-byte header.
// About a fifth fewer instructions in a run; freed blocks are reused, never returned.

#define HEADER 16
#define SMALL 256
#define CHUNK (64 * 1024)

static void *free_lists[SMALL / 16 + 1];
static char *chunk_next, *chunk_end;

static size_t class_of(size_t size) { return (size + HEADER + 15) / 16; }

static size_t *block_new(size_t size) {
  if (size + HEADER > SMALL) return malloc(size + HEADER);
  size_t cls = class_of(size);
  void *block = free_lists[cls];
  if (block) {
    free_lists[cls] = *(void **)block;
    return block;
  }
  size_t bytes = cls * 16;
  if (!chunk_next || chunk_end - chunk_next < (ptrdiff_t)bytes) {
    chunk_next = malloc(CHUNK);
    if (!chunk_next) return NULL;
    chunk_end = chunk_next + CHUNK;
  }
  block = chunk_next;
  chunk_next += bytes;
  return block;
}

static void block_free(size_t *block) {
  if (*block + HEADER > SMALL) return free(block);
  size_t cls = class_of(*block);
  *(void **)block = free_lists[cls];
  free_lists[cls] = block;
}

static void *js_alloc(JSMallocState *s, size_t size) {
  if (size > SIZE_MAX / 2 || s->malloc_size + size + HEADER > s->malloc_limit) return NULL;
  size_t *p = block_new(size);
  if (!p) return NULL;
  *p = size;
  s->malloc_count++;
  s->malloc_size += size + HEADER;
  return (char *)p + HEADER;
}

static void js_release(JSMallocState *s, void *ptr) {
  if (!ptr) return;
  size_t *p = (size_t *)((char *)ptr - HEADER);
  s->malloc_count--;
  s->malloc_size -= *p + HEADER;
  block_free(p);
}

static void *js_resize(JSMallocState *s, void *ptr, size_t size) {
  if (!ptr) return size ? js_alloc(s, size) : NULL;
  if (!size) {
    js_release(s, ptr);
    return NULL;
  }
  size_t *p = (size_t *)((char *)ptr - HEADER);
  size_t old = *p;
  if (size > SIZE_MAX / 2 || s->malloc_size - old + size > s->malloc_limit) return NULL;
  if (old + HEADER > SMALL && size + HEADER > SMALL) {
    p = realloc(p, size + HEADER);
    if (!p) return NULL;
  } else if (class_of(size) != class_of(old) || size + HEADER > SMALL) {
    size_t *q = block_new(size);
    if (!q) return NULL;
    memcpy(q + HEADER / sizeof *q, p + HEADER / sizeof *p, old < size ? old : size);
    block_free(p);
    p = q;
  }
  *p = size;
  s->malloc_size = s->malloc_size - old + size;
  return (char *)p + HEADER;
}

static size_t js_usable(const void *ptr) {
  return ptr ? *(const size_t *)((const char *)ptr - HEADER) : 0;
}

static const JSMallocFunctions ALLOCATOR = {js_alloc, js_release, js_resize, js_usable};

// ---------------------------------------------------------------------------------------------
// The loop

static void die_with_exception(void) {
  JSValue error = JS_GetException(ctx);
  const char *text = JS_ToCString(ctx, error);
  char line[1200];
  snprintf(line, sizeof line, "notify: internal error: %.1000s\n", text ? text : "unknown");
  write_all(2, line, strlen(line));
  _exit(1);
}

static void run_jobs(void) {
  JSContext *job_ctx;
  for (;;) {
    int r = JS_ExecutePendingJob(rt, &job_ctx);
    if (r == 0) return;
    if (r < 0) die_with_exception();
  }
}

/** Calls globalThis[name](arg) (a hook tiny.ts installs); returns its number, or -1. */
static int64_t call_hook(JSValueConst hook, JSValue arg) {
  JSValue result = JS_Call(ctx, hook, JS_UNDEFINED, JS_IsUndefined(arg) ? 0 : 1, (JSValueConst *)&arg);
  JS_FreeValue(ctx, arg);
  if (JS_IsException(result)) die_with_exception();
  double wait = -1;
  JS_ToFloat64(ctx, &wait, result);
  JS_FreeValue(ctx, result);
  return wait < 0 ? -1 : (int64_t)wait;
}

int main(int argc, char **argv) {
  argc_ = argc;
  argv_ = argv;
  signal(SIGPIPE, SIG_IGN);
  if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return 1;
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
  multi = curl_multi_init();
  rt = JS_NewRuntime2(&ALLOCATOR, NULL);
  if (!multi || !rt) return 1;
  JS_SetMaxStackSize(rt, 1024 * 1024);
  // A run allocates a few MiB and ends: collecting every 256 KiB (QuickJS's default) only costs
  // time. Reference counting still frees most garbage at once; the cycle collector runs per 8 MiB.
  JS_SetGCThreshold(rt, 8 * 1024 * 1024);
  ctx = JS_NewContext(rt);
  if (!ctx) return 1;

  JSValue global = JS_GetGlobalObject(ctx);
  JSValue native = JS_NewObject(ctx);
  JS_SetPropertyFunctionList(ctx, native, NATIVE, sizeof NATIVE / sizeof NATIVE[0]);
  JS_SetPropertyStr(ctx, global, "__native", native);

  JSValue program = JS_ReadObject(ctx, notify_bytecode, notify_bytecode_size, JS_READ_OBJ_BYTECODE);
  if (JS_IsException(program)) die_with_exception();
  JSValue result = JS_EvalFunction(ctx, program);
  if (JS_IsException(result)) die_with_exception();
  JS_FreeValue(ctx, result);

  // Set by the program: __tick() runs the timers that are due and says how long until the
  // next one (-1: none); __signal(name) delivers a signal.
  JSValue tick = JS_GetPropertyStr(ctx, global, "__tick");
  JSValue deliver = JS_GetPropertyStr(ctx, global, "__signal");
  if (!JS_IsFunction(ctx, tick) || !JS_IsFunction(ctx, deliver)) {
    write_all(2, "notify: internal error: no event loop hooks\n", 44);
    return 1;
  }

  for (;;) {
    run_jobs();
    int64_t wait = call_hook(tick, JS_UNDEFINED);
    run_jobs();
    if (wait < 0 && !transfers) break; // nothing left that could call back
    int64_t phase_end = next_phase_end();
    if (phase_end >= 0) {
      int64_t until = phase_end - now_ms();
      if (until < 0) until = 0;
      if (wait < 0 || until < wait) wait = until;
    }
    if (transfers) {
      long curl_wait = -1;
      curl_multi_timeout(multi, &curl_wait);
      if (curl_wait >= 0 && (wait < 0 || curl_wait < wait)) wait = curl_wait;
      if (wait < 0 || wait > 1000) wait = 1000;
      struct curl_waitfd extra = {.fd = signal_pipe[0], .events = CURL_WAIT_POLLIN};
      int running = 0;
      curl_multi_poll(multi, &extra, 1, (int)wait, NULL);
      curl_multi_perform(multi, &running);
      CURLMsg *msg;
      int left;
      while ((msg = curl_multi_info_read(multi, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        // A message names a handle; an earlier callback in this loop may have ended its transfer.
        struct transfer *t = transfers;
        while (t && t->easy != msg->easy_handle) t = t->next;
        if (t) finish(t, msg->data.result);
      }
      check_phases();
    } else if (wait > 0) {
      struct pollfd pfd = {.fd = signal_pipe[0], .events = POLLIN};
      poll(&pfd, 1, wait > INT_MAX ? INT_MAX : (int)wait);
    }
    unsigned char sig;
    while (read(signal_pipe[0], &sig, 1) == 1) {
      call_hook(deliver, JS_NewString(ctx, signal_name(sig)));
      run_jobs();
    }
  }
  // The program ended without exit(): whatever it printed is out; leave as it would.
  return 0;
}
