/*
 * fastsmb_rdma.c - libfastsmb_rdma.so, the verbs RDMA provider's shim over librdmacm + libibverbs (rdma-core).
 * src/Datapath/Rdma/Verbs/VerbsNative.cs mirrors every declaration here.
 *
 * One fsr_conn is one RC queue pair with its own completion queue and completion channel, as SMB Direct
 * ([MS-SMBD] 3.1.1.1) needs: sends, receives, RDMA write and read, send-with-invalidate. The connection manager's
 * event channel runs synchronously inside the calls that wait for it (listen/accept/connect). Memory is registered
 * by the caller's address (the managed side allocates pinned native memory).
 *
 * Conventions as fastsmb_uring.c: 0 or a count on success, a negative errno on failure; a failure that needs
 * words fills the caller's err buffer. A connection is used by one thread, except fsr_wait_cq_event, which blocks
 * on the completion channel from a notifier thread.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <rdma/rdma_cma.h>
#include <infiniband/verbs.h>

#define FSR_API __attribute__((visibility("default")))
#define FSR_ABI_VERSION 1

struct fsr_listener {
    struct rdma_event_channel *ec;
    struct rdma_cm_id *id;
};

struct fsr_conn {
    struct rdma_event_channel *ec; /* own channel for an initiator; the listener's for an accepted id (migrated) */
    struct rdma_cm_id *id;
    struct ibv_pd *pd;
    struct ibv_comp_channel *cc;
    struct ibv_cq *cq;
    int max_send, max_recv;
};

/* One completion, blittable: the managed RdmaCompletion is built from it. */
struct fsr_wc {
    uint64_t wr_id;
    int32_t opcode;   /* 0 send, 1 recv, 2 rdma write, 3 rdma read */
    int32_t status;   /* 0 success, 1 local length, 2 local protection, 3 remote access, 4 RNR, 5 flushed, 6 other */
    uint32_t byte_len;
    uint32_t invalidated_rkey;
};

static void say(char *err, int len, const char *what, int e)
{
    if (err && len > 0) snprintf(err, (size_t)len, "%s: %s", what, strerror(e));
}

FSR_API int fsr_abi_version(void) { return FSR_ABI_VERSION; }

/* How many RDMA devices the host has (0 when none or when the kernel lacks RDMA support). */
FSR_API int fsr_device_count(void)
{
    int n = 0;
    struct ibv_device **list = ibv_get_device_list(&n);
    if (!list) return -errno;
    ibv_free_device_list(list);
    return n;
}

static int resolve(const char *host, int port, int passive, struct addrinfo **out)
{
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = passive ? AI_PASSIVE : 0 };
    return getaddrinfo(host && *host ? host : NULL, service, &hints, out) == 0 ? 0 : -EINVAL;
}

static int wait_event(struct rdma_event_channel *ec, enum rdma_cm_event_type want, int timeout_ms,
                      struct rdma_cm_id **id, char *err, int len)
{
    struct pollfd p = { .fd = ec->fd, .events = POLLIN };
    int r = poll(&p, 1, timeout_ms);
    if (r == 0) return -EAGAIN;
    if (r < 0) return -errno;
    struct rdma_cm_event *ev;
    if (rdma_get_cm_event(ec, &ev)) { int e = errno; say(err, len, "rdma_get_cm_event", e); return -e; }
    enum rdma_cm_event_type got = ev->event;
    int status = ev->status;
    if (id) *id = ev->id;
    rdma_ack_cm_event(ev);
    if (got != want) {
        if (err && len > 0) snprintf(err, (size_t)len, "expected %s, got %s (status %d)", rdma_event_str(want), rdma_event_str(got), status);
        return -ECONNREFUSED;
    }
    return 0;
}

static int setup_qp(struct fsr_conn *c, int max_send, int max_recv, char *err, int len)
{
    c->pd = ibv_alloc_pd(c->id->verbs);
    if (!c->pd) { int e = errno; say(err, len, "ibv_alloc_pd", e); return -e; }
    c->cc = ibv_create_comp_channel(c->id->verbs);
    if (!c->cc) { int e = errno; say(err, len, "ibv_create_comp_channel", e); return -e; }
    c->cq = ibv_create_cq(c->id->verbs, max_send + max_recv, NULL, c->cc, 0);
    if (!c->cq) { int e = errno; say(err, len, "ibv_create_cq", e); return -e; }
    struct ibv_qp_init_attr a = {
        .send_cq = c->cq, .recv_cq = c->cq, .qp_type = IBV_QPT_RC,
        .cap = { .max_send_wr = (uint32_t)max_send, .max_recv_wr = (uint32_t)max_recv, .max_send_sge = 1, .max_recv_sge = 1 },
    };
    if (rdma_create_qp(c->id, c->pd, &a)) { int e = errno; say(err, len, "rdma_create_qp", e); return -e; }
    c->max_send = (int)a.cap.max_send_wr;
    c->max_recv = (int)a.cap.max_recv_wr;
    return 0;
}

static void conn_free(struct fsr_conn *c)
{
    if (!c) return;
    if (c->id && c->id->qp) rdma_destroy_qp(c->id);
    if (c->cq) ibv_destroy_cq(c->cq);
    if (c->cc) ibv_destroy_comp_channel(c->cc);
    if (c->pd) ibv_dealloc_pd(c->pd);
    if (c->id) rdma_destroy_id(c->id);
    if (c->ec) rdma_destroy_event_channel(c->ec);
    free(c);
}

FSR_API int fsr_listen(const char *host, int port, struct fsr_listener **out, char *err, int len)
{
    struct fsr_listener *l = calloc(1, sizeof *l);
    if (!l) return -ENOMEM;
    struct addrinfo *ai = NULL;
    int r = resolve(host, port, 1, &ai);
    if (r) { say(err, len, "resolve", EINVAL); free(l); return r; }
    l->ec = rdma_create_event_channel();
    if (!l->ec) { r = -errno; say(err, len, "rdma_create_event_channel", -r); goto fail; }
    if (rdma_create_id(l->ec, &l->id, NULL, RDMA_PS_TCP)) { r = -errno; say(err, len, "rdma_create_id", -r); goto fail; }
    if (rdma_bind_addr(l->id, ai->ai_addr)) { r = -errno; say(err, len, "rdma_bind_addr (no RDMA device has that address?)", -r); goto fail; }
    if (rdma_listen(l->id, 64)) { r = -errno; say(err, len, "rdma_listen", -r); goto fail; }
    freeaddrinfo(ai);
    *out = l;
    return 0;
fail:
    freeaddrinfo(ai);
    if (l->id) rdma_destroy_id(l->id);
    if (l->ec) rdma_destroy_event_channel(l->ec);
    free(l);
    return r;
}

FSR_API void fsr_listener_close(struct fsr_listener *l)
{
    if (!l) return;
    rdma_destroy_id(l->id);
    rdma_destroy_event_channel(l->ec);
    free(l);
}

/* Waits up to timeout_ms for a connect request, builds its queue pair and accepts it once `post` receives can be
 * posted: the caller posts them between fsr_get_request and fsr_accept. -EAGAIN on timeout. */
FSR_API int fsr_get_request(struct fsr_listener *l, int timeout_ms, int max_send, int max_recv, struct fsr_conn **out,
                            char *err, int len)
{
    struct rdma_cm_id *id = NULL;
    int r = wait_event(l->ec, RDMA_CM_EVENT_CONNECT_REQUEST, timeout_ms, &id, err, len);
    if (r) return r;
    struct fsr_conn *c = calloc(1, sizeof *c);
    if (!c) { rdma_reject(id, NULL, 0); rdma_destroy_id(id); return -ENOMEM; }
    c->id = id;
    /* the accepted id gets its own event channel, so its events do not reach the listener's */
    c->ec = rdma_create_event_channel();
    if (!c->ec || rdma_migrate_id(id, c->ec)) { r = -errno; say(err, len, "rdma_migrate_id", -r); rdma_reject(id, NULL, 0); conn_free(c); return r; }
    r = setup_qp(c, max_send, max_recv, err, len);
    if (r) { rdma_reject(id, NULL, 0); conn_free(c); return r; }
    *out = c;
    return 0;
}

FSR_API int fsr_accept(struct fsr_conn *c, int timeout_ms, char *err, int len)
{
    struct rdma_conn_param p = { .responder_resources = 16, .initiator_depth = 16, .rnr_retry_count = 7 };
    if (rdma_accept(c->id, &p)) { int e = errno; say(err, len, "rdma_accept", e); return -e; }
    return wait_event(c->ec, RDMA_CM_EVENT_ESTABLISHED, timeout_ms, NULL, err, len);
}

FSR_API int fsr_connect(const char *host, int port, int max_send, int max_recv, int timeout_ms, struct fsr_conn **out,
                        char *err, int len)
{
    struct fsr_conn *c = calloc(1, sizeof *c);
    if (!c) return -ENOMEM;
    struct addrinfo *ai = NULL;
    int r = resolve(host, port, 0, &ai);
    if (r) { say(err, len, "resolve", EINVAL); free(c); return r; }
    c->ec = rdma_create_event_channel();
    if (!c->ec) { r = -errno; say(err, len, "rdma_create_event_channel", -r); goto fail; }
    if (rdma_create_id(c->ec, &c->id, NULL, RDMA_PS_TCP)) { r = -errno; say(err, len, "rdma_create_id", -r); goto fail; }
    if (rdma_resolve_addr(c->id, NULL, ai->ai_addr, timeout_ms)) { r = -errno; say(err, len, "rdma_resolve_addr", -r); goto fail; }
    if ((r = wait_event(c->ec, RDMA_CM_EVENT_ADDR_RESOLVED, timeout_ms, NULL, err, len))) goto fail;
    if (rdma_resolve_route(c->id, timeout_ms)) { r = -errno; say(err, len, "rdma_resolve_route", -r); goto fail; }
    if ((r = wait_event(c->ec, RDMA_CM_EVENT_ROUTE_RESOLVED, timeout_ms, NULL, err, len))) goto fail;
    if ((r = setup_qp(c, max_send, max_recv, err, len))) goto fail;
    freeaddrinfo(ai);
    ai = NULL;
    *out = c;
    return 0;
fail:
    if (ai) freeaddrinfo(ai);
    conn_free(c);
    return r;
}

/* Initiator: after posting receives, connects and waits for ESTABLISHED. */
FSR_API int fsr_connect_finish(struct fsr_conn *c, int timeout_ms, char *err, int len)
{
    struct rdma_conn_param p = { .responder_resources = 16, .initiator_depth = 16, .retry_count = 7, .rnr_retry_count = 7 };
    if (rdma_connect(c->id, &p)) { int e = errno; say(err, len, "rdma_connect", e); return -e; }
    return wait_event(c->ec, RDMA_CM_EVENT_ESTABLISHED, timeout_ms, NULL, err, len);
}

FSR_API void fsr_get_caps(struct fsr_conn *c, int *max_send, int *max_recv)
{
    *max_send = c->max_send;
    *max_recv = c->max_recv;
}

FSR_API void *fsr_reg_mr(struct fsr_conn *c, void *addr, size_t length, int access, uint32_t *lkey, uint32_t *rkey)
{
    int flags = 0;
    if (access & 1) flags |= IBV_ACCESS_LOCAL_WRITE;
    if (access & 2) flags |= IBV_ACCESS_REMOTE_READ;
    if (access & 4) flags |= IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_LOCAL_WRITE;
    struct ibv_mr *mr = ibv_reg_mr(c->pd, addr, length, flags);
    if (!mr) return NULL;
    *lkey = mr->lkey;
    *rkey = mr->rkey;
    return mr;
}

FSR_API int fsr_dereg_mr(void *mr) { return ibv_dereg_mr((struct ibv_mr *)mr) ? -errno : 0; }

FSR_API int fsr_post_recv(struct fsr_conn *c, uint64_t wr_id, void *addr, uint32_t length, uint32_t lkey)
{
    struct ibv_sge sge = { .addr = (uintptr_t)addr, .length = length, .lkey = lkey };
    struct ibv_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1 }, *bad;
    return -ibv_post_recv(c->id->qp, &wr, &bad);
}

/* opcode: 0 send (with invalidate when inv_rkey != 0), 2 RDMA write, 3 RDMA read. */
FSR_API int fsr_post(struct fsr_conn *c, int opcode, uint64_t wr_id, void *addr, uint32_t length, uint32_t lkey,
                     uint64_t remote_addr, uint32_t rkey, uint32_t inv_rkey)
{
    struct ibv_sge sge = { .addr = (uintptr_t)addr, .length = length, .lkey = lkey };
    struct ibv_send_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1, .send_flags = IBV_SEND_SIGNALED }, *bad;
    switch (opcode) {
    case 0:
        if (inv_rkey) { wr.opcode = IBV_WR_SEND_WITH_INV; wr.invalidate_rkey = inv_rkey; }
        else wr.opcode = IBV_WR_SEND;
        break;
    case 2: wr.opcode = IBV_WR_RDMA_WRITE; wr.wr.rdma.remote_addr = remote_addr; wr.wr.rdma.rkey = rkey; break;
    case 3: wr.opcode = IBV_WR_RDMA_READ; wr.wr.rdma.remote_addr = remote_addr; wr.wr.rdma.rkey = rkey; break;
    default: return -EINVAL;
    }
    return -ibv_post_send(c->id->qp, &wr, &bad);
}

static int map_status(enum ibv_wc_status s)
{
    switch (s) {
    case IBV_WC_SUCCESS: return 0;
    case IBV_WC_LOC_LEN_ERR: return 1;
    case IBV_WC_LOC_PROT_ERR: return 2;
    case IBV_WC_REM_ACCESS_ERR: return 3;
    case IBV_WC_RNR_RETRY_EXC_ERR: return 4;
    case IBV_WC_WR_FLUSH_ERR: return 5;
    default: return 6;
    }
}

static int map_opcode(enum ibv_wc_opcode o)
{
    switch (o) {
    case IBV_WC_SEND: return 0;
    case IBV_WC_RECV: return 1;
    case IBV_WC_RDMA_WRITE: return 2;
    case IBV_WC_RDMA_READ: return 3;
    default: return 1;
    }
}

FSR_API int fsr_poll(struct fsr_conn *c, struct fsr_wc *out, int n)
{
    struct ibv_wc wc[32];
    if (n > 32) n = 32;
    int got = ibv_poll_cq(c->cq, n, wc);
    if (got < 0) return -EIO;
    for (int i = 0; i < got; i++) {
        out[i].wr_id = wc[i].wr_id;
        out[i].status = map_status(wc[i].status);
        /* a failed completion's opcode is undefined: the managed side keeps its own record by wr_id */
        out[i].opcode = wc[i].status == IBV_WC_SUCCESS ? map_opcode(wc[i].opcode) : -1;
        out[i].byte_len = wc[i].byte_len;
        out[i].invalidated_rkey = (wc[i].wc_flags & IBV_WC_WITH_INV) ? wc[i].invalidated_rkey : 0;
    }
    return got;
}

FSR_API int fsr_req_notify(struct fsr_conn *c) { return -ibv_req_notify_cq(c->cq, 0); }

/* Blocks up to timeout_ms for the completion channel's event (armed by fsr_req_notify): 1 when it came, 0 on timeout. */
FSR_API int fsr_wait_cq_event(struct fsr_conn *c, int timeout_ms)
{
    struct pollfd p = { .fd = c->cc->fd, .events = POLLIN };
    int r = poll(&p, 1, timeout_ms);
    if (r <= 0) return r < 0 ? -errno : 0;
    struct ibv_cq *cq;
    void *ctx;
    if (ibv_get_cq_event(c->cc, &cq, &ctx)) return -errno;
    ibv_ack_cq_events(cq, 1);
    return 1;
}

/* 1 once the connection manager reported DISCONNECTED (or an error) for this connection, else 0. Non-blocking. */
FSR_API int fsr_check_disconnected(struct fsr_conn *c)
{
    struct pollfd p = { .fd = c->ec->fd, .events = POLLIN };
    if (poll(&p, 1, 0) <= 0) return 0;
    struct rdma_cm_event *ev;
    if (rdma_get_cm_event(c->ec, &ev)) return 1;
    int gone = ev->event == RDMA_CM_EVENT_DISCONNECTED || ev->event == RDMA_CM_EVENT_DEVICE_REMOVAL
        || ev->event == RDMA_CM_EVENT_TIMEWAIT_EXIT;
    rdma_ack_cm_event(ev);
    return gone;
}

FSR_API void fsr_disconnect(struct fsr_conn *c) { rdma_disconnect(c->id); }

FSR_API void fsr_destroy(struct fsr_conn *c) { conn_free(c); }
