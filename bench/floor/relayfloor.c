// relayfloor: the kernel's floor for the gateway's message pattern over loopback TCP.
//
//   relayfloor relay --port P
//       The "gateway": a single-threaded, edge-triggered epoll relay on 127.0.0.1:P that pairs the carrier
//       and backend legs of each call and copies length-prefixed messages between them, one recv() loop
//       per readable event and one send() per message, plus a 90-byte mark to the carrier after every 5th
//       message it forwards there. Prints its syscall counters on SIGTERM/SIGINT.
//
//   relayfloor peers --port P --calls N --seconds S [--warmup W] [--relay-pid PID]
//       The "load generator": N carrier and N backend connections; every 20 ms each carrier sends one
//       300-byte message, each backend echoes what it receives at once. Reports the relay's CPU (from
//       /proc/PID/stat and /proc/PID/schedstat) and RSS over the measured window, checks that no message
//       is lost, reordered or altered, and prints a table and one JSON line.
//
// Wire format: every message is a 2-byte little-endian payload length followed by the payload; sizes below
// are whole messages on the wire (prefix included). A connection opens with a 5-byte header: 'C' (carrier
// leg) or 'B' (backend leg), then the call index as a 4-byte little-endian integer.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

enum {
    HEADER_BYTES = 5,     // role byte + 4-byte call index
    PREFIX_BYTES = 2,     // message length prefix
    IN_CAP = 2048,        // per-connection input buffer; also the largest accepted message
    OUT_CAP = 32768,      // per-connection output buffer, allocated only if a send() comes up short
    MEDIA_BYTES = 300,    // carrier media frame (and the backend's echo of it)
    MARK_BYTES = 90,      // mark the relay adds towards the carrier
    MARK_EVERY = 5,       // one mark after every 5th message forwarded to the carrier
    SLOTS = 10,           // calls are paced in 10 sub-slots of 2 ms
    MAX_EVENTS = 256,
};

static const uint64_t NS_PER_MS = 1000000ull;
static const uint64_t TICK_NS = 20000000ull; // one media frame per call every 20 ms
static const uint64_t SLOT_NS = 2000000ull;

struct conn {
    int fd;
    char role;            // 0 until the header is read (relay), then 'C' or 'B'
    bool dead;
    bool stalled;         // stopped reading before EAGAIN: on_readable() must be called again
    uint32_t call;
    struct conn *peer;    // relay: the other leg of the call
    struct conn *resume;  // whose reading waits on this connection's output buffer draining
    struct conn *next_dead;
    uint64_t to_carrier;  // relay: messages forwarded on this carrier leg (for marks)
    size_t in_len;
    size_t out_len;
    unsigned char *out;   // OUT_CAP bytes once needed
    unsigned char in[IN_CAP];
};

struct counters {
    uint64_t recv_calls, recv_eagain, send_calls, send_short, waits, forwarded, marks, accepted, paired;
    size_t out_peak;
};

static struct counters g_stats;
static int g_epoll = -1;
static void (*g_process)(struct conn *);
static void (*g_fail)(struct conn *);
static struct conn *g_dead;

static void die(const char *what)
{
    fprintf(stderr, "relayfloor: %s: %s\n", what, strerror(errno));
    exit(2);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

// A whole message of `wire` bytes: prefix, kind byte, then filler (the payload is base64-like text in the gateway).
static void make_message(unsigned char *buf, size_t wire, unsigned char kind)
{
    size_t payload = wire - PREFIX_BYTES;
    buf[0] = (unsigned char)payload;
    buf[1] = (unsigned char)(payload >> 8);
    buf[2] = kind;
    for (size_t i = 3; i < wire; i++) {
        buf[i] = (unsigned char)('A' + i % 26);
    }
}

static void set_nodelay(int fd)
{
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
        die("setsockopt TCP_NODELAY");
    }
}

static struct conn *conn_new(int fd)
{
    struct conn *c = calloc(1, sizeof *c);
    if (!c) {
        die("calloc");
    }
    c->fd = fd;
    return c;
}

static void conn_watch(struct conn *c)
{
    // Edge-triggered, registered once: EPOLLOUT only reports after a send() found the socket buffer full,
    // so it costs nothing while sends succeed.
    struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c };
    if (epoll_ctl(g_epoll, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
        die("epoll_ctl ADD");
    }
}

// Closes the socket now (which also removes it from the epoll set); the struct is freed after the current
// batch of events, which may still point at it.
static void conn_close(struct conn *c)
{
    if (c->dead) {
        return;
    }
    c->dead = true;
    close(c->fd);
    c->next_dead = g_dead;
    g_dead = c;
}

static void free_dead(void)
{
    while (g_dead) {
        struct conn *next = g_dead->next_dead;
        free(g_dead->out);
        free(g_dead);
        g_dead = next;
    }
}

// One send() for the message when nothing is queued; whatever the kernel does not take is queued and goes
// out on EPOLLOUT. The caller has checked that the output buffer has room. Returns -1 on a socket error.
static int conn_send(struct conn *c, const unsigned char *buf, size_t len)
{
    if (c->out_len == 0) {
        for (;;) {
            ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
            g_stats.send_calls++;
            if (n == (ssize_t)len) {
                return 0;
            }
            if (n >= 0) {
                buf += n;
                len -= (size_t)n;
                break;
            }
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            }
            return -1;
        }
        g_stats.send_short++;
    }
    if (!c->out && !(c->out = malloc(OUT_CAP))) {
        die("malloc");
    }
    if (c->out_len + len > OUT_CAP) {
        fprintf(stderr, "relayfloor: output buffer overflow\n");
        exit(2);
    }
    memcpy(c->out + c->out_len, buf, len);
    c->out_len += len;
    if (c->out_len > g_stats.out_peak) {
        g_stats.out_peak = c->out_len;
    }
    return 0;
}

static bool out_has_room(const struct conn *c, size_t len)
{
    return c->out_len + len <= OUT_CAP;
}

static void on_readable(struct conn *c)
{
    c->stalled = false;
    g_process(c); // data left from an earlier stall or an unpaired leg
    if (c->dead || c->stalled) {
        return;
    }
    for (;;) {
        if (c->in_len == IN_CAP) {
            c->stalled = true;
            return;
        }
        ssize_t n = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, 0);
        g_stats.recv_calls++;
        if (n > 0) {
            c->in_len += (size_t)n;
            g_process(c);
            if (c->dead) {
                return;
            }
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            g_stats.recv_eagain++;
            return;
        }
        g_fail(c); // end of stream or socket error
        return;
    }
}

static void on_writable(struct conn *c)
{
    if (c->out_len == 0) {
        return;
    }
    size_t sent = 0;
    while (sent < c->out_len) {
        ssize_t n = send(c->fd, c->out + sent, c->out_len - sent, MSG_NOSIGNAL);
        g_stats.send_calls++;
        if (n >= 0) {
            sent += (size_t)n;
            continue;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
        }
        g_fail(c);
        return;
    }
    memmove(c->out, c->out + sent, c->out_len - sent);
    c->out_len -= sent;
    struct conn *r = c->resume;
    if (r && r->stalled && !r->dead) {
        on_readable(r);
    }
}

static void dispatch(struct epoll_event *ev)
{
    struct conn *c = ev->data.ptr;
    if (c->dead) {
        return;
    }
    if (ev->events & EPOLLOUT) {
        on_writable(c);
    }
    // EPOLLERR/EPOLLHUP/EPOLLRDHUP: recv() returns the error or end of stream.
    if (!c->dead && (ev->events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
        on_readable(c);
    }
}

// ---------------------------------------------------------------------------------------------------------
// relay

struct leg_pair {
    struct conn *carrier, *backend;
};

static struct leg_pair *g_calls;
static size_t g_calls_cap;
static unsigned char g_mark[MARK_BYTES];
static volatile sig_atomic_t g_stop;

static void relay_fail(struct conn *c)
{
    struct conn *legs[2] = { c, c->peer };
    for (int i = 0; i < 2; i++) {
        struct conn *x = legs[i];
        if (!x || x->dead) {
            continue;
        }
        if (x->role && x->call < g_calls_cap) {
            struct leg_pair *p = &g_calls[x->call];
            if (p->carrier == x) {
                p->carrier = NULL;
            }
            if (p->backend == x) {
                p->backend = NULL;
            }
        }
        conn_close(x);
    }
}

// Registers the leg named by the header; pairs it with the other leg of its call if that one is here.
static bool relay_register(struct conn *c)
{
    char role = (char)c->in[0];
    uint32_t call = get_le32(c->in + 1);
    if ((role != 'C' && role != 'B') || call >= 1u << 20) {
        return false;
    }
    if (call >= g_calls_cap) {
        size_t cap = g_calls_cap ? g_calls_cap : 256;
        while (cap <= call) {
            cap *= 2;
        }
        struct leg_pair *grown = realloc(g_calls, cap * sizeof *grown);
        if (!grown) {
            die("realloc");
        }
        memset(grown + g_calls_cap, 0, (cap - g_calls_cap) * sizeof *grown);
        g_calls = grown;
        g_calls_cap = cap;
    }
    struct leg_pair *p = &g_calls[call];
    struct conn **mine = role == 'C' ? &p->carrier : &p->backend;
    struct conn *other = role == 'C' ? p->backend : p->carrier;
    if (*mine) {
        return false; // that leg of the call is already connected
    }
    *mine = c;
    c->role = role;
    c->call = call;
    memmove(c->in, c->in + HEADER_BYTES, c->in_len - HEADER_BYTES);
    c->in_len -= HEADER_BYTES;
    if (other) {
        c->peer = other;
        other->peer = c;
        c->resume = other; // when c's output drains, the other leg may read again
        other->resume = c;
        g_stats.paired++;
        // The other leg may hold messages that arrived before this one connected.
        if (other->in_len > 0 || other->stalled) {
            on_readable(other);
        }
    }
    return true;
}

static void relay_process(struct conn *c)
{
    if (!c->role) {
        if (c->in_len < HEADER_BYTES) {
            return;
        }
        if (!relay_register(c)) {
            fprintf(stderr, "relayfloor: bad or duplicate connection header\n");
            conn_close(c);
            return;
        }
        if (c->dead) {
            return;
        }
    }
    struct conn *d = c->peer;
    if (!d) {
        return; // unpaired: keep the bytes; reading stops when the buffer is full
    }
    bool to_carrier = c->role == 'B';
    size_t off = 0;
    while (c->in_len - off >= PREFIX_BYTES) {
        size_t len = PREFIX_BYTES + (size_t)(c->in[off] | c->in[off + 1] << 8);
        if (len > IN_CAP) {
            fprintf(stderr, "relayfloor: message of %zu bytes exceeds %d\n", len, IN_CAP);
            relay_fail(c);
            return;
        }
        if (c->in_len - off < len) {
            break;
        }
        if (!out_has_room(d, len + (to_carrier ? MARK_BYTES : 0))) {
            c->stalled = true; // resumed by on_writable(d)
            break;
        }
        if (conn_send(d, c->in + off, len) < 0) {
            relay_fail(d);
            return;
        }
        off += len;
        g_stats.forwarded++;
        if (to_carrier && ++d->to_carrier % MARK_EVERY == 0) {
            if (conn_send(d, g_mark, MARK_BYTES) < 0) {
                relay_fail(d);
                return;
            }
            g_stats.marks++;
        }
    }
    if (off > 0) {
        memmove(c->in, c->in + off, c->in_len - off);
        c->in_len -= off;
    }
}

static void relay_accept(int listener)
{
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return;
            }
            die("accept4");
        }
        set_nodelay(fd);
        g_stats.accepted++;
        conn_watch(conn_new(fd));
    }
}

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static int run_relay(int port)
{
    g_process = relay_process;
    g_fail = relay_fail;
    make_message(g_mark, MARK_BYTES, 'K');

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (listener < 0) {
        die("socket");
    }
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) {
        die("bind");
    }
    if (listen(listener, 4096) < 0) {
        die("listen");
    }
    g_epoll = epoll_create1(EPOLL_CLOEXEC);
    if (g_epoll < 0) {
        die("epoll_create1");
    }
    static char listener_tag;
    struct epoll_event lev = { .events = EPOLLIN | EPOLLET, .data.ptr = &listener_tag };
    if (epoll_ctl(g_epoll, EPOLL_CTL_ADD, listener, &lev) < 0) {
        die("epoll_ctl ADD listener");
    }

    // SIGTERM/SIGINT are blocked except inside epoll_pwait, so a stop request cannot slip past the check.
    sigset_t block, waitmask;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigprocmask(SIG_BLOCK, &block, &waitmask);
    sigdelset(&waitmask, SIGTERM);
    sigdelset(&waitmask, SIGINT);
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    fprintf(stderr, "relayfloor relay: pid %d listening on 127.0.0.1:%d\n", (int)getpid(), port);
    struct epoll_event evs[MAX_EVENTS];
    while (!g_stop) {
        int n = epoll_pwait(g_epoll, evs, MAX_EVENTS, -1, &waitmask);
        g_stats.waits++;
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("epoll_pwait");
        }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == &listener_tag) {
                relay_accept(listener);
            } else {
                dispatch(&evs[i]);
            }
        }
        free_dead();
    }
    const struct counters *s = &g_stats;
    uint64_t received = s->forwarded;
    fprintf(stderr,
            "relayfloor relay: %" PRIu64 " connections, %" PRIu64 " calls paired; %" PRIu64 " messages received, %" PRIu64
            " sent (%" PRIu64 " marks); syscalls: %" PRIu64 " epoll_wait, %" PRIu64 " recv (%" PRIu64 " EAGAIN), %" PRIu64
            " send (%" PRIu64 " short/EAGAIN); peak output queue %zu bytes\n",
            s->accepted, s->paired, received, s->forwarded + s->marks, s->marks, s->waits, s->recv_calls,
            s->recv_eagain, s->send_calls, s->send_short, s->out_peak);
    if (received > 0) {
        fprintf(stderr,
                "relayfloor relay: per message received: %.2f recv, %.2f send, %.3f epoll_wait\n",
                (double)s->recv_calls / (double)received, (double)s->send_calls / (double)received,
                (double)s->waits / (double)received);
    }
    return 0;
}

// ---------------------------------------------------------------------------------------------------------
// peers

struct call_state {
    struct conn *carrier, *backend;
    uint32_t sent;         // media messages the carrier sent
    uint32_t backend_rcv;  // media messages the backend received (and echoed)
    uint32_t echo_rcv;     // echoes the carrier received
    uint32_t mark_rcv;     // marks the carrier received
    uint32_t bad;          // out of order, wrong call or unknown kind
};

static struct call_state *g_state;
static uint64_t g_received; // every message any peer received = every message the relay sent

static void peers_fail(struct conn *c)
{
    fprintf(stderr, "relayfloor peers: %s leg of call %" PRIu32 " lost its connection to the relay\n",
            c->role == 'C' ? "carrier" : "backend", c->call);
    exit(2);
}

// Media payload: kind 'M', call index, sequence number, filler.
static void peers_process(struct conn *c)
{
    struct call_state *st = &g_state[c->call];
    size_t off = 0;
    while (c->in_len - off >= PREFIX_BYTES) {
        size_t len = PREFIX_BYTES + (size_t)(c->in[off] | c->in[off + 1] << 8);
        if (len > IN_CAP) {
            fprintf(stderr, "relayfloor peers: message of %zu bytes exceeds %d\n", len, IN_CAP);
            exit(2);
        }
        if (c->in_len - off < len) {
            break;
        }
        const unsigned char *m = c->in + off;
        if (c->role == 'B') {
            if (!out_has_room(c, len)) {
                c->stalled = true; // resumed by on_writable(c)
                break;
            }
            if (len != MEDIA_BYTES || m[2] != 'M' || get_le32(m + 3) != c->call || get_le32(m + 7) != st->backend_rcv) {
                st->bad++;
            }
            st->backend_rcv++;
            if (conn_send(c, m, len) < 0) { // the instant echo
                peers_fail(c);
            }
        } else if (len == MARK_BYTES && m[2] == 'K') {
            st->mark_rcv++;
        } else {
            if (len != MEDIA_BYTES || m[2] != 'M' || get_le32(m + 3) != c->call || get_le32(m + 7) != st->echo_rcv) {
                st->bad++;
            }
            st->echo_rcv++;
        }
        g_received++;
        off += len;
    }
    if (off > 0) {
        memmove(c->in, c->in + off, c->in_len - off);
        c->in_len -= off;
    }
}

static int connect_leg(int port, char role, uint32_t call)
{
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int attempt = 0;; attempt++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            die("socket");
        }
        set_nodelay(fd);
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
            unsigned char hdr[HEADER_BYTES] = { (unsigned char)role };
            put_le32(hdr + 1, call);
            if (send(fd, hdr, sizeof hdr, MSG_NOSIGNAL) != (ssize_t)sizeof hdr) {
                die("send header");
            }
            if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
                die("fcntl O_NONBLOCK");
            }
            return fd;
        }
        int err = errno;
        close(fd);
        if (err != ECONNREFUSED || attempt >= 50) {
            errno = err;
            die("connect");
        }
        struct timespec pause = { 0, 100 * 1000000L };
        nanosleep(&pause, NULL);
    }
}

static bool read_text(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        return false;
    }
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = 0;
    return n > 0;
}

struct proc_sample {
    bool ok;
    uint64_t utime, stime; // clock ticks
    uint64_t runtime_ns;   // /proc/PID/schedstat: time on CPU, nanoseconds
    long rss_kib;
};

static struct proc_sample proc_sample(const char *pid)
{
    struct proc_sample s = { 0 };
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    if (!read_text(path, buf, sizeof buf)) {
        return s;
    }
    // The command name (field 2) is in parentheses and may contain anything: fields 3.. follow the last ')'.
    char *p = strrchr(buf, ')');
    if (!p) {
        return s;
    }
    p += 2;
    for (int field = 3; field < 14 && p; field++) {
        p = strchr(p, ' ');
        if (p) {
            p++;
        }
    }
    if (!p || sscanf(p, "%" SCNu64 " %" SCNu64, &s.utime, &s.stime) != 2) {
        return s;
    }
    snprintf(path, sizeof path, "/proc/%s/schedstat", pid);
    if (read_text(path, buf, sizeof buf)) {
        sscanf(buf, "%" SCNu64, &s.runtime_ns);
    }
    snprintf(path, sizeof path, "/proc/%s/status", pid);
    s.rss_kib = -1;
    if (read_text(path, buf, sizeof buf)) {
        char *r = strstr(buf, "VmRSS:");
        if (r) {
            s.rss_kib = strtol(r + 6, NULL, 10);
        }
    }
    s.ok = true;
    return s;
}

struct snapshot {
    uint64_t at_ns;
    uint64_t received;
    struct proc_sample relay, self;
};

static struct snapshot take_snapshot(const char *relay_pid)
{
    struct snapshot s = { .at_ns = now_ns(), .received = g_received };
    if (relay_pid) {
        s.relay = proc_sample(relay_pid);
    }
    s.self = proc_sample("self");
    return s;
}

static void serve_events(struct epoll_event *evs, int timeout_ms)
{
    int n = epoll_wait(g_epoll, evs, MAX_EVENTS, timeout_ms);
    if (n < 0) {
        if (errno == EINTR) {
            return;
        }
        die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
        dispatch(&evs[i]);
    }
}

static bool all_delivered(uint32_t calls)
{
    for (uint32_t i = 0; i < calls; i++) {
        const struct call_state *st = &g_state[i];
        if (st->backend_rcv < st->sent || st->echo_rcv < st->sent || st->mark_rcv < st->echo_rcv / MARK_EVERY) {
            return false;
        }
    }
    return true;
}

static int run_peers(int port, uint32_t calls, double seconds, double warmup, const char *relay_pid)
{
    g_process = peers_process;
    g_fail = peers_fail;
    g_epoll = epoll_create1(EPOLL_CLOEXEC);
    if (g_epoll < 0) {
        die("epoll_create1");
    }
    g_state = calloc(calls, sizeof *g_state);
    if (!g_state) {
        die("calloc");
    }
    long clk_tck = sysconf(_SC_CLK_TCK);

    struct proc_sample relay_before = { 0 };
    if (relay_pid) {
        relay_before = proc_sample(relay_pid);
        if (!relay_before.ok) {
            fprintf(stderr, "relayfloor peers: cannot read /proc/%s/stat\n", relay_pid);
            return 2;
        }
    }
    for (uint32_t i = 0; i < calls; i++) {
        struct call_state *st = &g_state[i];
        st->carrier = conn_new(connect_leg(port, 'C', i));
        st->backend = conn_new(connect_leg(port, 'B', i));
        st->carrier->role = 'C';
        st->backend->role = 'B';
        st->carrier->call = st->backend->call = i;
        st->backend->resume = st->backend; // the backend stops reading while its own echoes are queued
        conn_watch(st->carrier);
        conn_watch(st->backend);
    }

    unsigned char media[MEDIA_BYTES];
    make_message(media, MEDIA_BYTES, 'M');
    long warm_ticks = (long)(warmup * 50.0 + 0.5); // 50 ticks of 20 ms per second
    long end_tick = warm_ticks + (long)(seconds * 50.0 + 0.5);
    if (end_tick == warm_ticks) {
        fprintf(stderr, "relayfloor peers: --seconds must be at least 0.02\n");
        return 2;
    }
    struct epoll_event evs[MAX_EVENTS];
    struct snapshot a = { 0 }, b = { 0 };
    uint64_t max_late_ns = 0, late_slots = 0;
    uint32_t max_in_flight = 0;
    uint64_t t0 = now_ns() + 100 * NS_PER_MS;

    for (long tick = 0;; tick++) {
        for (int slot = 0; slot < SLOTS; slot++) {
            uint64_t due = t0 + (uint64_t)tick * TICK_NS + (uint64_t)slot * SLOT_NS;
            for (;;) {
                uint64_t now = now_ns();
                if (now >= due) {
                    break;
                }
                uint64_t left = due - now;
                if (left >= NS_PER_MS) {
                    serve_events(evs, (int)(left / NS_PER_MS));
                } else {
                    serve_events(evs, 0);
                    if (now_ns() < due) {
                        struct timespec ts = { (time_t)(due / 1000000000ull), (long)(due % 1000000000ull) };
                        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
                        }
                    }
                }
            }
            if (slot == 0 && tick == warm_ticks) {
                a = take_snapshot(relay_pid);
            }
            if (slot == 0 && tick == end_tick) {
                b = take_snapshot(relay_pid);
                for (uint32_t i = 0; i < calls; i++) {
                    uint32_t in_flight = g_state[i].sent - g_state[i].echo_rcv;
                    if (in_flight > max_in_flight) {
                        max_in_flight = in_flight;
                    }
                }
                goto drain;
            }
            if (tick >= warm_ticks) {
                uint64_t late = now_ns() - due;
                if (late > max_late_ns) {
                    max_late_ns = late;
                }
                if (late > NS_PER_MS) {
                    late_slots++;
                }
            }
            for (uint32_t i = (uint32_t)slot; i < calls; i += SLOTS) {
                struct call_state *st = &g_state[i];
                if (!out_has_room(st->carrier, MEDIA_BYTES)) {
                    fprintf(stderr, "relayfloor peers: carrier %" PRIu32 " cannot keep up (output queue full)\n", i);
                    return 2;
                }
                put_le32(media + 3, i);
                put_le32(media + 7, st->sent);
                if (conn_send(st->carrier, media, MEDIA_BYTES) < 0) {
                    peers_fail(st->carrier);
                }
                st->sent++;
            }
        }
    }

drain:;
    // Nothing more is sent; wait for what is in flight.
    uint64_t give_up = now_ns() + 3000 * NS_PER_MS;
    while (!all_delivered(calls) && now_ns() < give_up) {
        serve_events(evs, 50);
    }
    uint64_t sent = 0, lost = 0, bad = 0;
    for (uint32_t i = 0; i < calls; i++) {
        const struct call_state *st = &g_state[i];
        uint32_t marks_expected = st->sent / MARK_EVERY;
        sent += st->sent;
        lost += (st->sent - st->backend_rcv) + (st->sent - st->echo_rcv);
        lost += st->mark_rcv < marks_expected ? marks_expected - st->mark_rcv : 0;
        bad += st->bad + (st->mark_rcv > marks_expected ? st->mark_rcv - marks_expected : 0);
    }
    bool ok = lost == 0 && bad == 0;

    double wall_s = (double)(b.at_ns - a.at_ns) / 1e9;
    double call_seconds = wall_s * calls;
    uint64_t relayed = b.received - a.received;
    double self_ms = (double)((b.self.utime + b.self.stime) - (a.self.utime + a.self.stime)) * 1000.0 / (double)clk_tck;
    bool have_relay = relay_pid && a.relay.ok && b.relay.ok;
    double user_ms = 0, sys_ms = 0, run_ms = 0, rss_per_call = 0;
    if (have_relay) {
        user_ms = (double)(b.relay.utime - a.relay.utime) * 1000.0 / (double)clk_tck;
        sys_ms = (double)(b.relay.stime - a.relay.stime) * 1000.0 / (double)clk_tck;
        run_ms = (double)(b.relay.runtime_ns - a.relay.runtime_ns) / 1e6;
        rss_per_call = (double)(b.relay.rss_kib - relay_before.rss_kib) / calls;
    }
    double cpu_ms = user_ms + sys_ms;

    printf("calls                        %" PRIu32 "\n", calls);
    printf("measured                     %.2f s after %.1f s warm-up\n", wall_s, warmup);
    printf("messages relayed             %" PRIu64 " relay sends (%.1f per call-second; expected 110: 50 + 50 + 10 marks)\n",
           relayed, relayed / call_seconds);
    if (have_relay) {
        printf("relay CPU                    %.2f %% of one core (%.0f ms)\n", cpu_ms / (wall_s * 10.0), cpu_ms);
        printf("relay CPU per call-second    %.4f ms (utime+stime); %.4f ms (schedstat run time)\n",
               cpu_ms / call_seconds, run_ms / call_seconds);
        printf("relay user / system          %.0f %% / %.0f %% (%.0f ms / %.0f ms)\n",
               cpu_ms > 0 ? 100.0 * user_ms / cpu_ms : 0.0, cpu_ms > 0 ? 100.0 * sys_ms / cpu_ms : 0.0, user_ms, sys_ms);
        printf("relay RSS                    %ld KiB before connections, %ld KiB during: %.2f KiB per call\n",
               relay_before.rss_kib, b.relay.rss_kib, rss_per_call);
    } else {
        printf("relay CPU                    not measured (no --relay-pid)\n");
    }
    printf("peers CPU                    %.2f %% of one core (%.0f ms)\n", self_ms / (wall_s * 10.0), self_ms);
    printf("pacing                       latest slot %.2f ms late, %" PRIu64 " slots more than 1 ms late\n",
           (double)max_late_ns / 1e6, late_slots);
    printf("delivery                     %s: %" PRIu64 " media sent, %" PRIu64 " lost, %" PRIu64
           " out of order or unexpected; at most %" PRIu32 " echoes in flight per call at the window's end\n",
           ok ? "OK" : "FAILED", sent, lost, bad, max_in_flight);
    printf("{\"calls\":%" PRIu32 ",\"seconds\":%.3f,\"warmup_seconds\":%.1f,\"messages_relayed\":%" PRIu64
           ",\"messages_per_call_second\":%.2f",
           calls, wall_s, warmup, relayed, relayed / call_seconds);
    if (have_relay) {
        printf(",\"relay_cpu_percent\":%.3f,\"relay_cpu_ms_per_call_second\":%.5f,\"relay_runtime_ms_per_call_second\":%.5f"
               ",\"relay_user_ms\":%.0f,\"relay_system_ms\":%.0f,\"relay_user_percent\":%.1f"
               ",\"relay_rss_kib_before\":%ld,\"relay_rss_kib_during\":%ld,\"relay_rss_kib_per_call\":%.3f",
               cpu_ms / (wall_s * 10.0), cpu_ms / call_seconds, run_ms / call_seconds, user_ms, sys_ms,
               cpu_ms > 0 ? 100.0 * user_ms / cpu_ms : 0.0, relay_before.rss_kib, b.relay.rss_kib, rss_per_call);
    }
    printf(",\"peers_cpu_percent\":%.3f,\"peers_cpu_ms\":%.0f,\"max_slot_late_ms\":%.3f,\"late_slots\":%" PRIu64
           ",\"media_sent\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"unexpected\":%" PRIu64 ",\"max_in_flight\":%" PRIu32
           ",\"ok\":%s}\n",
           self_ms / (wall_s * 10.0), self_ms, (double)max_late_ns / 1e6, late_slots, sent, lost, bad, max_in_flight,
           ok ? "true" : "false");
    fflush(stdout);
    return ok ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------------------

static void usage(void)
{
    fprintf(stderr,
            "usage: relayfloor relay --port P\n"
            "       relayfloor peers --port P --calls N --seconds S [--warmup W] [--relay-pid PID]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage();
    }
    int port = 0;
    long calls = 0;
    double seconds = 0, warmup = 2;
    const char *relay_pid = NULL;
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i];
        if (i + 1 >= argc) {
            usage();
        }
        const char *val = argv[++i];
        if (!strcmp(opt, "--port")) {
            port = atoi(val);
        } else if (!strcmp(opt, "--calls")) {
            calls = atol(val);
        } else if (!strcmp(opt, "--seconds")) {
            seconds = atof(val);
        } else if (!strcmp(opt, "--warmup")) {
            warmup = atof(val);
        } else if (!strcmp(opt, "--relay-pid")) {
            relay_pid = val;
        } else {
            usage();
        }
    }
    if (port <= 0 || port > 65535) {
        usage();
    }
    if (!strcmp(argv[1], "relay")) {
        return run_relay(port);
    }
    if (!strcmp(argv[1], "peers")) {
        if (calls <= 0 || calls > 100000 || seconds <= 0 || warmup < 0) {
            usage();
        }
        return run_peers(port, (uint32_t)calls, seconds, warmup, relay_pid);
    }
    usage();
}
