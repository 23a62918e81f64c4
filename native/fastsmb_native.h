/*
 * fastsmb_native.h - the C ABI of libfastsmb_native.so, the io_uring shim FastSmb's data plane calls
 * through LibraryImport (src/Datapath/IoUring/NativeMethods.cs mirrors every declaration here).
 *
 * Why a shim and not raw io_uring syscalls from C#: liburing's SQ/CQ ring handling (memory barriers,
 * head/tail bookkeeping, the mmap layout of each kernel version) is exactly the code we do not want to
 * re-derive and maintain in managed code. The shim keeps that in liburing (static-linked, so the .so has
 * no runtime dependency on the distribution's liburing.so) and exposes a small, blittable ABI:
 *
 *  - every function returns 0 or a count on success and a negative errno on failure (never sets errno
 *    for the caller to read), so the C# side needs no SetLastError marshalling;
 *  - prep functions only queue an SQE: nothing reaches the kernel until fsn_submit() or fsn_reap();
 *  - one ring is used by one thread (its core loop); only fsn_wake() may be called from other threads.
 *
 * Bump FSN_ABI_VERSION whenever a signature or struct here changes; the managed side refuses a
 * library whose fsn_abi_version() differs from the one it was written against.
 */
#ifndef FASTSMB_NATIVE_H
#define FASTSMB_NATIVE_H

#include <stdint.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FSN_API __attribute__((visibility("default")))

#define FSN_ABI_VERSION 1

/* user_data values the shim reserves for itself; callers must not use them.
 * FSN_UD_WAKE tags the ring's own eventfd read (see fsn_wake); 0xFFFF...FF is liburing's
 * LIBURING_UDATA_TIMEOUT, which it uses for internal timeout SQEs on kernels without EXT_ARG. */
#define FSN_UD_WAKE 0xFFFFFFFFFFFFFFFEull
#define FSN_UD_RESERVED_MIN 0xFFFFFFFFFFFFFFFEull

/* fsn_probe() capability bits: which operations this kernel has (IORING_REGISTER_PROBE). */
#define FSN_CAP_READ           (1ull << 0)  /* IORING_OP_READ (5.6) */
#define FSN_CAP_WRITE          (1ull << 1)  /* IORING_OP_WRITE (5.6) */
#define FSN_CAP_READ_FIXED     (1ull << 2)  /* IORING_OP_READ_FIXED (5.1) */
#define FSN_CAP_WRITE_FIXED    (1ull << 3)  /* IORING_OP_WRITE_FIXED (5.1) */
#define FSN_CAP_RECV           (1ull << 4)  /* IORING_OP_RECV (5.6) */
#define FSN_CAP_SEND           (1ull << 5)  /* IORING_OP_SEND (5.6) */
#define FSN_CAP_SEND_ZC        (1ull << 6)  /* IORING_OP_SEND_ZC (6.0) */
#define FSN_CAP_ASYNC_CANCEL   (1ull << 7)  /* IORING_OP_ASYNC_CANCEL (5.5) */
#define FSN_CAP_MSG_RING       (1ull << 8)  /* IORING_OP_MSG_RING (5.18) */
#define FSN_CAP_RECV_MULTISHOT (1ull << 9)  /* IORING_RECV_MULTISHOT + buffer rings (6.0), see fsn_probe */
#define FSN_CAP_EXT_ARG        (1ull << 10) /* IORING_FEAT_EXT_ARG: timed waits without a timeout SQE */
#define FSN_CAP_NOP            (1ull << 11) /* IORING_OP_NOP */

/* One completion, copied out of the CQ ring by fsn_reap (the kernel's io_uring_cqe without the
 * CQE32 extension). 16 bytes, blittable. */
struct fsn_cqe {
    uint64_t user_data; /* what the caller passed to the prep function */
    int32_t res;        /* >= 0: the operation's result (bytes, ...); < 0: -errno */
    uint32_t flags;     /* IORING_CQE_F_* (MORE, NOTIF, BUFFER with the buffer id in the top 16 bits) */
};

struct fsn_ring;

FSN_API int fsn_abi_version(void);

/* --- ring lifetime ------------------------------------------------------------------------------- */

/* io_uring_queue_init_params with `entries` SQEs and `cq_entries` CQEs (0: the kernel's default of
 * twice the SQ). setup_flags are IORING_SETUP_* passed through (SQPOLL, SINGLE_ISSUER, DEFER_TASKRUN,
 * COOP_TASKRUN, ...); IORING_SETUP_SUBMIT_ALL is always added when the kernel has it, so that one bad
 * SQE does not stop the rest of a batch. sqpoll_idle_ms only matters with IORING_SETUP_SQPOLL.
 * Also creates the ring's wake eventfd and queues a read on it (see fsn_wake). */
FSN_API int fsn_ring_create(uint32_t entries, uint32_t cq_entries, uint32_t setup_flags,
                            uint32_t sqpoll_idle_ms, struct fsn_ring **out);
/* io_uring_queue_exit (the kernel cancels what is still in flight), then closes the wake eventfd and
 * unmaps the buffer rings. Registered buffers' memory belongs to the caller: unmap it after this. */
FSN_API void fsn_ring_destroy(struct fsn_ring *ring);
/* The ring's file descriptor: the target of fsn_prep_msg_ring from another ring. */
FSN_API int fsn_ring_fd(struct fsn_ring *ring);
/* FSN_CAP_* bits (io_uring_get_probe_ring + io_uring_opcode_supported). */
FSN_API uint64_t fsn_probe(struct fsn_ring *ring);
/* SQEs that can be queued before the next prep has to flush (io_uring_sq_space_left). */
FSN_API uint32_t fsn_sq_space_left(struct fsn_ring *ring);

/* --- registration -------------------------------------------------------------------------------- */

/* io_uring_register_buffers: pins the pages; index i is buf_index i of the *_fixed ops. */
FSN_API int fsn_register_buffers(struct fsn_ring *ring, const struct iovec *iovecs, uint32_t count);
FSN_API int fsn_unregister_buffers(struct fsn_ring *ring);
/* io_uring_register_files: fds may hold -1 for empty slots (filled later by fsn_update_files).
 * An op on a registered file passes the slot index as fd and IOSQE_FIXED_FILE in sqe_flags. */
FSN_API int fsn_register_files(struct fsn_ring *ring, const int *fds, uint32_t count);
FSN_API int fsn_update_files(struct fsn_ring *ring, uint32_t offset, const int *fds, uint32_t count);
FSN_API int fsn_unregister_files(struct fsn_ring *ring);

/* io_uring_register_buf_ring: a provided-buffer ring for multishot recv. `count` (a power of two,
 * <= 32768) buffers of `buf_size` bytes each, laid out back to back from `base`; buffer id i is
 * base + i * buf_size. The kernel picks a buffer per completion and reports its id in
 * cqe.flags >> 16 (IORING_CQE_F_BUFFER); give it back with fsn_buf_ring_recycle. */
FSN_API int fsn_buf_ring_create(struct fsn_ring *ring, uint16_t group_id, void *base, uint32_t buf_size,
                                uint32_t count);
FSN_API int fsn_buf_ring_recycle(struct fsn_ring *ring, uint16_t group_id, uint16_t buffer_id);
FSN_API int fsn_buf_ring_destroy(struct fsn_ring *ring, uint16_t group_id);

/* --- operations (queue one SQE each) ------------------------------------------------------------- *
 * All return 0 once the SQE is queued. When the SQ is full they first flush it to the kernel
 * (io_uring_submit) and queue into the freed space, so a caller may prep more than `entries` ops
 * between reaps; they return -EBUSY only if the kernel would not take the queued SQEs (CQ overflow
 * backlog), and the caller must reap before trying again. sqe_flags are IOSQE_* (FIXED_FILE,
 * IO_LINK, ...). offset -1 means "the file position" for read/write. */

FSN_API int fsn_prep_nop(struct fsn_ring *ring, uint32_t sqe_flags, uint64_t user_data);
/* io_uring_prep_read / io_uring_prep_write */
FSN_API int fsn_prep_read(struct fsn_ring *ring, int fd, void *buf, uint32_t len, int64_t offset,
                          uint32_t sqe_flags, uint64_t user_data);
FSN_API int fsn_prep_write(struct fsn_ring *ring, int fd, const void *buf, uint32_t len, int64_t offset,
                           uint32_t sqe_flags, uint64_t user_data);
/* io_uring_prep_read_fixed / io_uring_prep_write_fixed: buf must lie inside registered buffer buf_index. */
FSN_API int fsn_prep_read_fixed(struct fsn_ring *ring, int fd, void *buf, uint32_t len, int64_t offset,
                                uint16_t buf_index, uint32_t sqe_flags, uint64_t user_data);
FSN_API int fsn_prep_write_fixed(struct fsn_ring *ring, int fd, const void *buf, uint32_t len,
                                 int64_t offset, uint16_t buf_index, uint32_t sqe_flags,
                                 uint64_t user_data);
/* io_uring_prep_recv / io_uring_prep_send; msg_flags are MSG_* (MSG_WAITALL, MSG_NOSIGNAL, ...). */
FSN_API int fsn_prep_recv(struct fsn_ring *ring, int fd, void *buf, uint32_t len, int32_t msg_flags,
                          uint32_t sqe_flags, uint64_t user_data);
FSN_API int fsn_prep_send(struct fsn_ring *ring, int fd, const void *buf, uint32_t len, int32_t msg_flags,
                          uint32_t sqe_flags, uint64_t user_data);
/* io_uring_prep_send_zc (buf_index < 0) or io_uring_prep_send_zc_fixed (buf_index >= 0, a registered
 * buffer). Produces two CQEs with the same user_data: the result (IORING_CQE_F_MORE set), then a
 * notification (IORING_CQE_F_NOTIF) once the kernel no longer reads the buffer: only then may it be
 * reused. */
FSN_API int fsn_prep_send_zc(struct fsn_ring *ring, int fd, const void *buf, uint32_t len, int32_t msg_flags,
                             int32_t buf_index, uint32_t sqe_flags, uint64_t user_data);
/* io_uring_prep_recv_multishot with IOSQE_BUFFER_SELECT from buffer ring group_id: one CQE per
 * received chunk, IORING_CQE_F_MORE while it stays armed. It ends (no F_MORE) on error, EOF (res 0),
 * cancellation, or -ENOBUFS when the group ran dry; the caller then re-arms it. */
FSN_API int fsn_prep_recv_multishot(struct fsn_ring *ring, int fd, uint16_t group_id, int32_t msg_flags,
                                    uint32_t sqe_flags, uint64_t user_data);
/* io_uring_prep_cancel64: cancels the op(s) queued with target_user_data (cancel_flags
 * IORING_ASYNC_CANCEL_ALL for every match). The target completes with -ECANCELED; this op completes
 * with 0 (found), -ENOENT (no such op) or -EALREADY (already running, may still complete). */
FSN_API int fsn_prep_cancel(struct fsn_ring *ring, uint64_t target_user_data, uint32_t cancel_flags,
                            uint32_t sqe_flags, uint64_t user_data);
/* io_uring_prep_msg_ring: posts a CQE {user_data = target_user_data, res = res} on the ring whose fd
 * is target_ring_fd (core loop to core loop messages). This ring gets its own completion too. */
FSN_API int fsn_prep_msg_ring(struct fsn_ring *ring, int target_ring_fd, int32_t res,
                              uint64_t target_user_data, uint32_t sqe_flags, uint64_t user_data);

/* --- submission and completion ------------------------------------------------------------------- */

/* io_uring_submit: hands every queued SQE to the kernel; returns how many. */
FSN_API int fsn_submit(struct fsn_ring *ring);
/* Submits what is queued, waits until at least wait_min completions are ready (0: do not wait) or
 * timeout_ns passes (< 0: no timeout) or the ring is woken (fsn_wake) or a signal arrives, then copies
 * up to max completions into out and returns how many (possibly 0). One io_uring_enter for submit and
 * wait (io_uring_submit_and_wait_timeout), then the CQ ring is read without a syscall
 * (io_uring_for_each_cqe + io_uring_cq_advance). Completions of the shim's own wake read are consumed
 * here and never copied out. */
FSN_API int fsn_reap(struct fsn_ring *ring, struct fsn_cqe *out, uint32_t max, uint32_t wait_min,
                     int64_t timeout_ns);
/* Wakes a thread blocked in fsn_reap on this ring: writes the ring's eventfd, whose pending read
 * then completes. The only function safe to call from any thread (concurrently with the owner). */
FSN_API int fsn_wake(struct fsn_ring *ring);

/* --- shared memory for registered buffers -------------------------------------------------------- */

/* memfd_create(name, MFD_CLOEXEC | flags) + ftruncate(size): an anonymous file another process (the
 * RDMA proxy) can map too, once given the fd. Returns the fd or -errno. */
FSN_API int fsn_memfd_create(const char *name, uint64_t size, uint32_t flags);
/* mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_POPULATE, fd, offset). */
FSN_API int fsn_mmap_shared(int fd, uint64_t size, uint64_t offset, void **out);
FSN_API int fsn_munmap(void *addr, uint64_t size);
FSN_API int fsn_close(int fd);

#ifdef __cplusplus
}
#endif
#endif
