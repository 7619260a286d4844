/*
 * Shared memory for SharedArray: files in /dev/shm mapped MAP_SHARED into each process and handed
 * to JavaScript as external ArrayBuffers, plus madvise(MADV_HUGEPAGE) for any ArrayBuffer.
 *
 * Built by scripts/build-native.mjs against node-api-headers (N-API version 8), so one binary
 * serves every Node >= 20 on linux-x64. The module keeps no global state, so it may be loaded by
 * several worker_threads (NAPI_MODULE_INIT makes it context-aware).
 */
#define NAPI_VERSION 8
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the finalizer needs to unmap a segment: mmap's address and length. */
typedef struct {
  void *addr;
  size_t len;
} mapping;

#define CHECK(call)                                                                                \
  do {                                                                                             \
    if ((call) != napi_ok) return NULL;                                                            \
  } while (0)

static napi_value throw_errno(napi_env env, const char *what, const char *path, int err) {
  char msg[PATH_MAX + 128];
  snprintf(msg, sizeof msg, "%s %s: %s", what, path, strerror(err));
  napi_throw_error(env, err == ENOENT ? "ENOENT" : err == EEXIST ? "EEXIST" : "ESHM", msg);
  return NULL;
}

/* Runs when the ArrayBuffer is collected or detached: the memory goes away with it. */
static void unmap_segment(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  mapping *m = hint;
  if (m->addr != MAP_FAILED) munmap(m->addr, m->len);
  free(m);
}

/* Reads the segment name (a plain file name, no slash) into a /dev/shm path. */
static int read_path(napi_env env, napi_value v, char *path, size_t size) {
  char name[NAME_MAX + 1];
  size_t n = 0;
  if (napi_get_value_string_utf8(env, v, name, sizeof name, &n) != napi_ok || n == 0 ||
      n >= NAME_MAX || strchr(name, '/') != NULL) {
    napi_throw_type_error(env, NULL, "segment name must be a non-empty file name without '/'");
    return 0;
  }
  snprintf(path, size, "/dev/shm/%s", name);
  return 1;
}

static int read_size(napi_env env, napi_value v, size_t *out) {
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0) || d > (double)SIZE_MAX / 2 ||
      d != (double)(size_t)d) {
    napi_throw_range_error(env, NULL, "segment size must be a non-negative integer number of bytes");
    return 0;
  }
  *out = (size_t)d;
  return 1;
}

/* The (name, bytes) arguments of create and open; throws and returns 0 when either is bad. */
static int read_name_and_size(napi_env env, napi_callback_info info, char path[PATH_MAX], size_t *bytes) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, "expected (segment name, size in bytes)");
    return 0;
  }
  return read_path(env, argv[0], path, PATH_MAX) && read_size(env, argv[1], bytes);
}

/* Maps `fd` (of at least `bytes`) and wraps it; an empty segment still maps one page. */
static napi_value map_fd(napi_env env, int fd, size_t bytes, const char *path) {
  mapping *m = malloc(sizeof *m);
  if (m == NULL) {
    close(fd);
    return throw_errno(env, "malloc for", path, ENOMEM);
  }
  m->len = bytes > 0 ? bytes : 1;
  m->addr = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int err = errno;
  close(fd);
  if (m->addr == MAP_FAILED) {
    free(m);
    return throw_errno(env, "mmap", path, err);
  }
  napi_value ab;
  if (napi_create_external_arraybuffer(env, m->addr, bytes, unmap_segment, m, &ab) != napi_ok) {
    munmap(m->addr, m->len);
    free(m);
    napi_throw_error(env, NULL, "napi_create_external_arraybuffer failed");
    return NULL;
  }
  return ab;
}

/* create(name, bytes): a new zero-filled segment (fails if the name exists), mapped. */
static napi_value seg_create(napi_env env, napi_callback_info info) {
  char path[PATH_MAX];
  size_t bytes = 0;
  if (!read_name_and_size(env, info, path, &bytes)) return NULL;
  int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return throw_errno(env, "open", path, errno);
  if (ftruncate(fd, (off_t)(bytes > 0 ? bytes : 1)) != 0) {
    int err = errno;
    close(fd);
    unlink(path);
    return throw_errno(env, "ftruncate", path, err);
  }
  return map_fd(env, fd, bytes, path);
}

/* open(name, bytes): maps an existing segment, which must hold at least `bytes`. */
static napi_value seg_open(napi_env env, napi_callback_info info) {
  char path[PATH_MAX];
  size_t bytes = 0;
  if (!read_name_and_size(env, info, path, &bytes)) return NULL;
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, "open", path, errno);
  struct stat st;
  if (fstat(fd, &st) != 0 || (size_t)st.st_size < bytes) {
    close(fd);
    return throw_errno(env, "segment too small:", path, EINVAL);
  }
  return map_fd(env, fd, bytes, path);
}

/* unlink(name): removes the file; mappings stay valid. True if it existed. */
static napi_value seg_unlink(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char path[PATH_MAX];
  if (argc < 1 || !read_path(env, argv[0], path, sizeof path)) return NULL;
  int ok = unlink(path) == 0;
  if (!ok && errno != ENOENT) return throw_errno(env, "unlink", path, errno);
  napi_value r;
  CHECK(napi_get_boolean(env, ok, &r));
  return r;
}

/* detach(arrayBuffer): detaches a mapped buffer so that its views read as empty; the finalizer unmaps. */
static napi_value seg_detach(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool is_ab = false;
  if (argc < 1 || napi_is_arraybuffer(env, argv[0], &is_ab) != napi_ok || !is_ab) {
    napi_throw_type_error(env, NULL, "detach expects an ArrayBuffer made by create or open");
    return NULL;
  }
  bool detached = false;
  CHECK(napi_is_detached_arraybuffer(env, argv[0], &detached));
  if (!detached) CHECK(napi_detach_arraybuffer(env, argv[0]));
  napi_value r;
  CHECK(napi_get_boolean(env, !detached, &r));
  return r;
}

/*
 * madviseHugepage(buffer): asks for transparent huge pages on the whole pages inside any
 * ArrayBuffer or SharedArrayBuffer (a WebAssembly.Memory's buffer included). False when the buffer
 * holds no whole huge-page-aligned region or the kernel refuses.
 */
static napi_value seg_madvise_hugepage(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *data = NULL;
  size_t len = 0;
  bool is_ab = false;
  if (argc >= 1 && napi_is_arraybuffer(env, argv[0], &is_ab) == napi_ok && is_ab) {
    CHECK(napi_get_arraybuffer_info(env, argv[0], &data, &len));
  } else {
    /* A SharedArrayBuffer is not an ArrayBuffer to N-API; read it through a Uint8Array view. */
    napi_value global, ctor, view;
    CHECK(napi_get_global(env, &global));
    CHECK(napi_get_named_property(env, global, "Uint8Array", &ctor));
    if (argc < 1 || napi_new_instance(env, ctor, 1, argv, &view) != napi_ok) {
      napi_value exc;
      napi_get_and_clear_last_exception(env, &exc);
      napi_throw_type_error(env, NULL, "madviseHugepage expects an ArrayBuffer or SharedArrayBuffer");
      return NULL;
    }
    napi_typedarray_type t;
    napi_value ab;
    size_t off = 0;
    CHECK(napi_get_typedarray_info(env, view, &t, &len, &data, &ab, &off));
  }
  long page = sysconf(_SC_PAGESIZE);
  uintptr_t lo = ((uintptr_t)data + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
  uintptr_t hi = ((uintptr_t)data + len) & ~((uintptr_t)page - 1);
  bool ok = false;
#ifdef MADV_HUGEPAGE
  if (data != NULL && hi > lo) ok = madvise((void *)lo, hi - lo, MADV_HUGEPAGE) == 0;
#endif
  napi_value r;
  CHECK(napi_get_boolean(env, ok, &r));
  return r;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"create", NULL, seg_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, seg_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unlink", NULL, seg_unlink, NULL, NULL, NULL, napi_enumerable, NULL},
      {"detach", NULL, seg_detach, NULL, NULL, NULL, napi_enumerable, NULL},
      {"madviseHugepage", NULL, seg_madvise_hugepage, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok)
    return NULL;
  return exports;
}
