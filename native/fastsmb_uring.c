/*
 * fastsmb_uring.c - the io_uring half of libfastsmb_native.so: a thin layer over liburing 2.3+.
 * The contract of every function is in fastsmb_native.h; comments here say how and why.
 */
#define _GNU_SOURCE
#include "fastsmb_native.h"

#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

/* Provided-buffer rings a ring may carry (group ids 0..FSN_MAX_BUF_GROUPS-1). One or two per core
 * loop are enough (a receive pool per transport); a fixed table keeps lookups allocation-free. */
#define FSN_MAX_BUF_GROUPS 8

struct fsn_buf_group {
    struct io_uring_buf_ring *br; /* NULL: slot unused */
    size_t map_len;               /* the mmap holding br */
    uint8_t *base;                /* buffer id i starts at base + i * buf_size */
    uint32_t buf_size;
    uint32_t count;
};

struct fsn_ring {
    struct io_uring ring;
    unsigned setup_flags; /* what the kernel accepted (SQPOLL changes how a full SQ is drained) */
    unsigned features;    /* IORING_FEAT_* */
    int wake_fd;          /* eventfd fsn_wake writes; the ring keeps one read pending on it */
    int wake_armed;       /* a read on wake_fd is queued or in flight */
    uint64_t wake_value;  /* where that read lands; its value is irrelevant */
    struct fsn_buf_group groups[FSN_MAX_BUF_GROUPS];
};

int fsn_abi_version(void) { return FSN_ABI_VERSION; }

/* An SQE, flushing the SQ to the kernel when it is full (the "ring full" behaviour in the header).
 * With SQPOLL the kernel thread drains the SQ on its own time, so wait for it to make room. */
static struct io_uring_sqe *get_sqe(struct fsn_ring *r, int *err)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
    if (sqe)
        return sqe;
    int rc = (r->setup_flags & IORING_SETUP_SQPOLL) ? io_uring_sqring_wait(&r->ring)
                                                     : io_uring_submit(&r->ring);
    if (rc < 0) {
        *err = rc;
        return NULL;
    }
    sqe = io_uring_get_sqe(&r->ring);
    if (!sqe)
        *err = -EBUSY; /* the kernel took none of them: the caller must reap first */
    return sqe;
}

/* Queue the read that keeps the wake eventfd watched. Its completion is consumed inside fsn_reap. */
static int arm_wake(struct fsn_ring *r)
{
    int err = 0;
    struct io_uring_sqe *sqe = get_sqe(r, &err);
    if (!sqe)
        return err;
    io_uring_prep_read(sqe, r->wake_fd, &r->wake_value, sizeof r->wake_value, 0);
    io_uring_sqe_set_data64(sqe, FSN_UD_WAKE);
    r->wake_armed = 1;
    return 0;
}

int fsn_ring_create(uint32_t entries, uint32_t cq_entries, uint32_t setup_flags, uint32_t sqpoll_idle_ms,
                    struct fsn_ring **out)
{
    *out = NULL;
    struct fsn_ring *r = calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;

    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = setup_flags | IORING_SETUP_SUBMIT_ALL;
    if (cq_entries) {
        p.flags |= IORING_SETUP_CQSIZE;
        p.cq_entries = cq_entries;
    }
    p.sq_thread_idle = sqpoll_idle_ms;
    int rc = io_uring_queue_init_params(entries, &r->ring, &p);
    if (rc == -EINVAL) {
        /* Kernels before 5.18 reject SUBMIT_ALL; everything else FastSmb needs is newer anyway,
         * so this only keeps the error about the flag the caller actually asked for. */
        memset(&p, 0, sizeof p);
        p.flags = setup_flags | (cq_entries ? IORING_SETUP_CQSIZE : 0);
        p.cq_entries = cq_entries;
        p.sq_thread_idle = sqpoll_idle_ms;
        rc = io_uring_queue_init_params(entries, &r->ring, &p);
    }
    if (rc < 0) {
        free(r);
        return rc;
    }
    r->setup_flags = p.flags;
    r->features = p.features;

    /* A blocking eventfd on purpose: io_uring answers a read on an O_NONBLOCK file with -EAGAIN
     * instead of waiting for it to become readable. Writers never block (the counter would have to
     * reach 2^64 - 2). */
    r->wake_fd = eventfd(0, EFD_CLOEXEC);
    if (r->wake_fd < 0) {
        rc = -errno;
        io_uring_queue_exit(&r->ring);
        free(r);
        return rc;
    }
    /* Submit the wake read now, so the SQ starts empty and the creating thread (the owner, for
     * SINGLE_ISSUER rings) is the first submitter. */
    rc = arm_wake(r);
    if (rc == 0)
        rc = io_uring_submit(&r->ring);
    if (rc < 0) {
        fsn_ring_destroy(r);
        return rc;
    }
    *out = r;
    return 0;
}

void fsn_ring_destroy(struct fsn_ring *r)
{
    if (!r)
        return;
    /* Ring first: exiting it cancels in-flight ops (including the wake read) and drops the kernel's
     * references to the buffer rings before their memory goes. */
    io_uring_queue_exit(&r->ring);
    for (int i = 0; i < FSN_MAX_BUF_GROUPS; i++)
        if (r->groups[i].br)
            munmap(r->groups[i].br, r->groups[i].map_len);
    close(r->wake_fd);
    free(r);
}

int fsn_ring_fd(struct fsn_ring *r) { return r->ring.ring_fd; }

uint64_t fsn_probe(struct fsn_ring *r)
{
    static const struct {
        int op;
        uint64_t cap;
    } ops[] = {
        {IORING_OP_NOP, FSN_CAP_NOP},
        {IORING_OP_READ, FSN_CAP_READ},
        {IORING_OP_WRITE, FSN_CAP_WRITE},
        {IORING_OP_READ_FIXED, FSN_CAP_READ_FIXED},
        {IORING_OP_WRITE_FIXED, FSN_CAP_WRITE_FIXED},
        {IORING_OP_RECV, FSN_CAP_RECV},
        {IORING_OP_SEND, FSN_CAP_SEND},
        {IORING_OP_SEND_ZC, FSN_CAP_SEND_ZC},
        {IORING_OP_ASYNC_CANCEL, FSN_CAP_ASYNC_CANCEL},
        {IORING_OP_MSG_RING, FSN_CAP_MSG_RING},
    };
    struct io_uring_probe *probe = io_uring_get_probe_ring(&r->ring);
    if (!probe)
        return 0;
    uint64_t caps = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (io_uring_opcode_supported(probe, ops[i].op))
            caps |= ops[i].cap;
    io_uring_free_probe(probe);
    /* The probe lists opcodes, not opcode flags: multishot recv (IORING_RECV_MULTISHOT) has no opcode
     * of its own. It arrived in 6.0 together with IORING_OP_SEND_ZC, and buffer rings (5.19) before
     * both, so SEND_ZC support stands for it. */
    if (caps & FSN_CAP_SEND_ZC)
        caps |= FSN_CAP_RECV_MULTISHOT;
    if (r->features & IORING_FEAT_EXT_ARG)
        caps |= FSN_CAP_EXT_ARG;
    return caps;
}

uint32_t fsn_sq_space_left(struct fsn_ring *r) { return io_uring_sq_space_left(&r->ring); }

/* --- registration ------------------------------------------------------------------------------- */

int fsn_register_buffers(struct fsn_ring *r, const struct iovec *iovecs, uint32_t count)
{
    return io_uring_register_buffers(&r->ring, iovecs, count);
}

int fsn_unregister_buffers(struct fsn_ring *r) { return io_uring_unregister_buffers(&r->ring); }

int fsn_register_files(struct fsn_ring *r, const int *fds, uint32_t count)
{
    return io_uring_register_files(&r->ring, fds, count);
}

int fsn_update_files(struct fsn_ring *r, uint32_t offset, const int *fds, uint32_t count)
{
    return io_uring_register_files_update(&r->ring, offset, fds, count);
}

int fsn_unregister_files(struct fsn_ring *r) { return io_uring_unregister_files(&r->ring); }

int fsn_buf_ring_create(struct fsn_ring *r, uint16_t group_id, void *base, uint32_t buf_size, uint32_t count)
{
    if (group_id >= FSN_MAX_BUF_GROUPS || count == 0 || count > 32768 || (count & (count - 1)) != 0 ||
        buf_size == 0)
        return -EINVAL;
    struct fsn_buf_group *g = &r->groups[group_id];
    if (g->br)
        return -EEXIST;

    /* The ring of io_uring_buf entries is shared with the kernel and must be page aligned: mmap it. */
    size_t len = (size_t)count * sizeof(struct io_uring_buf);
    void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        return -errno;
    struct io_uring_buf_ring *br = mem;
    io_uring_buf_ring_init(br);

    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof reg);
    reg.ring_addr = (uint64_t)(uintptr_t)br;
    reg.ring_entries = count;
    reg.bgid = group_id;
    int rc = io_uring_register_buf_ring(&r->ring, &reg, 0);
    if (rc < 0) {
        munmap(mem, len);
        return rc;
    }

    /* Hand every buffer to the kernel at once: fill the entries, then publish them with one tail store. */
    int mask = io_uring_buf_ring_mask(count);
    for (uint32_t i = 0; i < count; i++)
        io_uring_buf_ring_add(br, (uint8_t *)base + (size_t)i * buf_size, buf_size, (unsigned short)i, mask,
                              (int)i);
    io_uring_buf_ring_advance(br, (int)count);

    g->br = br;
    g->map_len = len;
    g->base = base;
    g->buf_size = buf_size;
    g->count = count;
    return 0;
}

int fsn_buf_ring_recycle(struct fsn_ring *r, uint16_t group_id, uint16_t buffer_id)
{
    if (group_id >= FSN_MAX_BUF_GROUPS || !r->groups[group_id].br || buffer_id >= r->groups[group_id].count)
        return -EINVAL;
    struct fsn_buf_group *g = &r->groups[group_id];
    io_uring_buf_ring_add(g->br, g->base + (size_t)buffer_id * g->buf_size, g->buf_size, buffer_id,
                          io_uring_buf_ring_mask(g->count), 0);
    io_uring_buf_ring_advance(g->br, 1);
    return 0;
}

int fsn_buf_ring_destroy(struct fsn_ring *r, uint16_t group_id)
{
    if (group_id >= FSN_MAX_BUF_GROUPS || !r->groups[group_id].br)
        return -EINVAL;
    struct fsn_buf_group *g = &r->groups[group_id];
    int rc = io_uring_unregister_buf_ring(&r->ring, group_id);
    if (rc < 0)
        return rc;
    munmap(g->br, g->map_len);
    memset(g, 0, sizeof *g);
    return 0;
}

/* --- operations --------------------------------------------------------------------------------- */

/* Every prep: get an SQE (flushing a full SQ), fill it with liburing's helper, tag it. */
#define PREP_BEGIN(r)                                                                                       \
    int err_ = 0;                                                                                           \
    struct io_uring_sqe *sqe = get_sqe((r), &err_);                                                         \
    if (!sqe)                                                                                               \
        return err_;
#define PREP_END(sqe_flags, user_data)                                                                      \
    io_uring_sqe_set_flags(sqe, (unsigned)(sqe_flags));                                                     \
    io_uring_sqe_set_data64(sqe, (user_data));                                                              \
    return 0;

/* The kernel takes offset -1 as "use and advance the file position" (IORING_FEAT_RW_CUR_POS). */
static inline __u64 rw_offset(int64_t offset) { return (__u64)offset; }

int fsn_prep_nop(struct fsn_ring *r, uint32_t sqe_flags, uint64_t user_data)
{
    PREP_BEGIN(r)
    io_uring_prep_nop(sqe);
    PREP_END(sqe_flags, user_data)
}

int fsn_prep_read(struct fsn_ring *r, int fd, void *buf, uint32_t len, int64_t offset, uint32_t sqe_flags,
                  uint64_t user_data)
{
    PREP_BEGIN(r)
    io_uring_prep_read(sqe, fd, buf, len, rw_offset(offset));
    PREP_END(sqe_flags, user_data)
}

int fsn_prep_write(struct fsn_ring *r, int fd, const void *buf, uint32_t len, int64_t offset,
                   uint32_t sqe_flags, uint64_t user_data)
{
    PREP_BEGIN(r)
    io_uring_prep_write(sqe, fd, buf, len, rw_offset(offset));
    PREP_END(sqe_flags, user_data)
}

int fsn_prep_read_fixed(struct fsn_ring *r, int fd, void *buf, uint32_t len, int64_t offset,
                        uint16_t buf_index, uint32_t sqe_flags, uint64_t user_data)
{
    PREP_BEGIN(r)
    io_uring_prep_read_fixed(sqe, fd, buf, len, rw_offset(offset), buf_index);
    PREP_END(sqe_flags, user_data)
}

int fsn_prep_write_fixed(struct fsn_ring *r, int fd, const void *buf, uint32_t len, int64_t offset,
                         uint16_t buf_index, uint32_t sqe_flags, uint64_t user_data)
{
    PREP_BEGIN(r)
    io_uring_prep_write_fixed(sqe, fd, buf, len, rw_offset(offset), buf_index);
    PREP_END(sqe_flags, user_data)
}

int fsn_prep_recv(struct fsn_ring *r, int fd, void *buf, uint32_t len, int32_t msg_flags, uint32_t sqe_flags,
                  uint64_t user_data)
{
    PREP_BEGIN(r)
    io_uring_prep_recv(sqe, fd, buf, len, msg_flags);
    PREP_END(sqe_flags, user_data)
}

int fsn_prep_send(struct fsn_ring *r, int fd, const void *buf, uint32_t len, int32_t msg_flags,
                  uint32_t sqe_flags, uint64_t user_data)
{
    PREP_BEGIN(r)
    io_uring_prep_send(sqe, fd, buf, len, msg_flags);
    PREP_END(sqe_flags, user_data)
}

int fsn_prep_send_zc(struct fsn_ring *r, int fd, const void *buf, uint32_t len, int32_t msg_flags,
                     int32_t buf_index, uint32_t sqe_flags, uint64_t user_data)
{
    PREP_BEGIN(r)
    if (buf_index >= 0)
        io_uring_prep_send_zc_fixed(sqe, fd, buf, len, msg_flags, 0, (unsigned)buf_index);
    else
        io_uring_prep_send_zc(sqe, fd, buf, len, msg_flags, 0);
    PREP_END(sqe_flags, user_data)
}

int fsn_prep_recv_multishot(struct fsn_ring *r, int fd, uint16_t group_id, int32_t msg_flags,
                            uint32_t sqe_flags, uint64_t user_data)
{
    PREP_BEGIN(r)
    /* No buffer and no length: the kernel takes one from the group per completion. */
    io_uring_prep_recv_multishot(sqe, fd, NULL, 0, msg_flags);
    sqe->buf_group = group_id;
    PREP_END(sqe_flags | IOSQE_BUFFER_SELECT, user_data)
}

int fsn_prep_cancel(struct fsn_ring *r, uint64_t target_user_data, uint32_t cancel_flags, uint32_t sqe_flags,
                    uint64_t user_data)
{
    PREP_BEGIN(r)
    io_uring_prep_cancel64(sqe, target_user_data, (int)cancel_flags);
    PREP_END(sqe_flags, user_data)
}

int fsn_prep_msg_ring(struct fsn_ring *r, int target_ring_fd, int32_t res, uint64_t target_user_data,
                      uint32_t sqe_flags, uint64_t user_data)
{
    PREP_BEGIN(r)
    io_uring_prep_msg_ring(sqe, target_ring_fd, (unsigned)res, target_user_data, 0);
    PREP_END(sqe_flags, user_data)
}

/* --- submission and completion ------------------------------------------------------------------ */

int fsn_submit(struct fsn_ring *r) { return io_uring_submit(&r->ring); }

int fsn_reap(struct fsn_ring *r, struct fsn_cqe *out, uint32_t max, uint32_t wait_min, int64_t timeout_ns)
{
    int rc;
    if (!r->wake_armed) {
        /* Re-arm before sleeping, so a wake that raced with the last one is never missed (the eventfd
         * counter keeps it and the new read completes at once). */
        rc = arm_wake(r);
        if (rc < 0)
            return rc;
    }

    if (wait_min > 0 && io_uring_cq_ready(&r->ring) < wait_min) {
        struct __kernel_timespec ts, *tsp = NULL;
        if (timeout_ns >= 0) {
            ts.tv_sec = timeout_ns / 1000000000;
            ts.tv_nsec = timeout_ns % 1000000000;
            tsp = &ts;
        }
        struct io_uring_cqe *first;
        rc = io_uring_submit_and_wait_timeout(&r->ring, &first, wait_min, tsp, NULL);
        /* A timeout or a signal (the .NET runtime uses signals to suspend threads) is not an error:
         * report what is ready, possibly nothing. */
        if (rc < 0 && rc != -ETIME && rc != -EINTR)
            return rc;
    } else if (io_uring_sq_ready(&r->ring) > 0) {
        rc = io_uring_submit(&r->ring);
        if (rc < 0 && rc != -EINTR)
            return rc;
    }

    uint32_t n = 0;
    unsigned head, seen = 0;
    struct io_uring_cqe *cqe;
    io_uring_for_each_cqe(&r->ring, head, cqe)
    {
        if (cqe->user_data >= FSN_UD_RESERVED_MIN) {
            if (cqe->user_data == FSN_UD_WAKE)
                r->wake_armed = 0;
            seen++;
            continue;
        }
        if (n == max)
            break;
        out[n].user_data = cqe->user_data;
        out[n].res = cqe->res;
        out[n].flags = cqe->flags;
        n++;
        seen++;
    }
    io_uring_cq_advance(&r->ring, seen);
    return (int)n;
}

int fsn_wake(struct fsn_ring *r)
{
    uint64_t one = 1;
    return write(r->wake_fd, &one, sizeof one) == sizeof one ? 0 : -errno;
}

/* --- shared memory ------------------------------------------------------------------------------ */

int fsn_memfd_create(const char *name, uint64_t size, uint32_t flags)
{
    int fd = memfd_create(name, MFD_CLOEXEC | flags);
    if (fd < 0)
        return -errno;
    if (ftruncate(fd, (off_t)size) < 0) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

int fsn_mmap_shared(int fd, uint64_t size, uint64_t offset, void **out)
{
    /* MAP_POPULATE: fault the pages in now, not on the first I/O (registration would do it anyway). */
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, (off_t)offset);
    if (p == MAP_FAILED) {
        *out = NULL;
        return -errno;
    }
    *out = p;
    return 0;
}

int fsn_munmap(void *addr, uint64_t size) { return munmap(addr, size) == 0 ? 0 : -errno; }

int fsn_close(int fd) { return close(fd) == 0 ? 0 : -errno; }
