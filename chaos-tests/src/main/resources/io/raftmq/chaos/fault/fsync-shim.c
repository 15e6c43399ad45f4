/*
 * fsync shim of the chaos suite's power-loss fault (io.raftmq.chaos.fault.PowerLoss builds it with gcc and
 * preloads it into every broker process with LD_PRELOAD).
 *
 * It records, per regular file (device and inode: a file renamed after its fsync keeps its record), how far the
 * file's data is known to be durable: every write/pwrite/pwrite64/writev raises the inode's high-water mark to the
 * end of the last non-zero byte written (zero writes, such as preallocation, do not raise it: losing them changes
 * nothing); each successful fsync/fdatasync then appends one line, when the mark or the size changed since the last
 * line for that inode, to $RAFTMQ_FSYNC_LOG_DIR/fsync-<pid>.log:
 *
 *   <st_dev> <st_ino> <durable high-water mark> <st_size> <path from /proc/self/fd>\n
 *
 * The mark and size are taken before the real fsync starts, so a write that races the fsync is never counted as
 * covered by it. Blind spots: msync of mapped files, O_DIRECT, sync_file_range, syncfs/sync, directory entries
 * (a file is assumed to exist after a crash once created), overwrites below the mark.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define SLOTS 16384
#define FDS 65536

struct mark {
    dev_t dev;
    ino_t ino;
    long long hw;
    long long logged_hw;
    long long logged_size;
    int used;
};

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off64_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_close)(int);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct mark marks[SLOTS];
static unsigned char kinds[FDS]; /* 0 unknown, 1 regular file, 2 other */
static int log_fd = -1;

__attribute__((constructor)) static void init(void) {
    real_write = dlsym(RTLD_NEXT, "write");
    real_pwrite = dlsym(RTLD_NEXT, "pwrite");
    real_pwrite64 = dlsym(RTLD_NEXT, "pwrite64");
    real_writev = dlsym(RTLD_NEXT, "writev");
    real_fsync = dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
    real_close = dlsym(RTLD_NEXT, "close");
    const char *dir = getenv("RAFTMQ_FSYNC_LOG_DIR");
    if (dir != NULL) {
        char path[4096];
        snprintf(path, sizeof path, "%s/fsync-%d.log", dir, (int) getpid());
        log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    }
}

static int regular(int fd) {
    if (fd < 0 || fd >= FDS) {
        return 0;
    }
    if (kinds[fd] == 0) {
        struct stat st;
        kinds[fd] = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? 1 : 2;
    }
    return kinds[fd] == 1;
}

/* The slot of (dev, ino), claimed if new; NULL when the table is full. Call with the lock held. */
static struct mark *slot(dev_t dev, ino_t ino) {
    size_t h = ((size_t) ino * 2654435761u + (size_t) dev) % SLOTS;
    for (int i = 0; i < SLOTS; i++) {
        struct mark *m = &marks[(h + i) % SLOTS];
        if (!m->used) {
            m->used = 1;
            m->dev = dev;
            m->ino = ino;
            m->logged_hw = -1;
            m->logged_size = -1;
            return m;
        }
        if (m->dev == dev && m->ino == ino) {
            return m;
        }
    }
    return NULL;
}

/* Offset just past the last non-zero byte of buf[0, n), or 0 when all are zero. */
static size_t nonzero_end(const void *buf, size_t n) {
    const unsigned char *b = buf;
    while (n > 0 && b[n - 1] == 0) {
        n--;
    }
    return n;
}

static void raise_mark(int fd, long long end) {
    struct stat st;
    if (end <= 0 || fstat(fd, &st) != 0) {
        return;
    }
    pthread_mutex_lock(&lock);
    struct mark *m = slot(st.st_dev, st.st_ino);
    if (m != NULL && end > m->hw) {
        m->hw = end;
    }
    pthread_mutex_unlock(&lock);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off) {
    ssize_t r = real_pwrite64(fd, buf, n, off);
    if (r > 0 && regular(fd)) {
        size_t e = nonzero_end(buf, (size_t) r);
        if (e > 0) {
            raise_mark(fd, (long long) off + (long long) e);
        }
    }
    return r;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
    ssize_t r = real_pwrite(fd, buf, n, off);
    if (r > 0 && regular(fd)) {
        size_t e = nonzero_end(buf, (size_t) r);
        if (e > 0) {
            raise_mark(fd, (long long) off + (long long) e);
        }
    }
    return r;
}

ssize_t write(int fd, const void *buf, size_t n) {
    ssize_t r = real_write(fd, buf, n);
    if (r > 0 && fd != log_fd && regular(fd)) {
        size_t e = nonzero_end(buf, (size_t) r);
        off_t after = lseek(fd, 0, SEEK_CUR);
        if (e > 0 && after >= r) {
            raise_mark(fd, (long long) after - r + (long long) e);
        }
    }
    return r;
}

ssize_t writev(int fd, const struct iovec *iov, int cnt) {
    ssize_t r = real_writev(fd, iov, cnt);
    if (r > 0 && regular(fd)) {
        off_t after = lseek(fd, 0, SEEK_CUR);
        long long pos = (long long) after - r;
        long long end = 0;
        ssize_t left = r;
        for (int i = 0; i < cnt && left > 0; i++) {
            size_t len = iov[i].iov_len < (size_t) left ? iov[i].iov_len : (size_t) left;
            size_t e = nonzero_end(iov[i].iov_base, len);
            if (e > 0) {
                end = pos + (long long) e;
            }
            pos += (long long) len;
            left -= (ssize_t) len;
        }
        if (after >= r && end > 0) {
            raise_mark(fd, end);
        }
    }
    return r;
}

int close(int fd) {
    if (fd >= 0 && fd < FDS) {
        kinds[fd] = 0;
    }
    return real_close(fd);
}

/* Runs the real sync; on success logs the mark and size seen before it started. */
static int synced(int fd, int (*real)(int)) {
    struct stat st;
    int reg = log_fd >= 0 && fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    long long hw = 0;
    if (reg) {
        pthread_mutex_lock(&lock);
        struct mark *m = slot(st.st_dev, st.st_ino);
        hw = m == NULL ? 0 : m->hw;
        pthread_mutex_unlock(&lock);
    }
    int r = real(fd);
    if (r != 0 || !reg) {
        return r;
    }
    int saved = errno;
    pthread_mutex_lock(&lock);
    struct mark *m = slot(st.st_dev, st.st_ino);
    if (m != NULL && (hw != m->logged_hw || (long long) st.st_size != m->logged_size)) {
        char link[64];
        char path[4096];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t k = readlink(link, path, sizeof path - 1);
        path[k > 0 ? k : 0] = 0;
        char line[4200];
        int len = snprintf(line, sizeof line, "%llu %llu %lld %lld %s\n", (unsigned long long) st.st_dev,
                           (unsigned long long) st.st_ino, hw, (long long) st.st_size, path);
        if (len > 0 && real_write(log_fd, line, (size_t) len) == len) {
            m->logged_hw = hw;
            m->logged_size = (long long) st.st_size;
        }
    }
    pthread_mutex_unlock(&lock);
    errno = saved;
    return r;
}

int fsync(int fd) {
    return synced(fd, real_fsync);
}

int fdatasync(int fd) {
    return synced(fd, real_fdatasync);
}
