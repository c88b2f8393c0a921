#include "CResolv.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <string.h>

int tern_resolv_query(const char *name, int type, const tern_resolv_options *options,
                      unsigned char *answer, int answer_capacity, int *h_error) {
    struct __res_state state;
    memset(&state, 0, sizeof state);
    *h_error = 0;
    if (res_ninit(&state) != 0) {
        *h_error = NETDB_INTERNAL;
        res_nclose(&state);
        return -1;
    }
    if (options->nameserver != NULL) {
        struct sockaddr_in server;
        memset(&server, 0, sizeof server);
        server.sin_family = AF_INET;
        server.sin_port = htons((unsigned short)options->port);
        if (inet_pton(AF_INET, options->nameserver, &server.sin_addr) != 1 ||
            options->port <= 0 || options->port > 65535) {
            *h_error = NETDB_INTERNAL;
            res_nclose(&state);
            return -1;
        }
        /* res_send copies nsaddr_list into its private list on first use,
           since res_ninit leaves that list empty. */
        state.nsaddr_list[0] = server;
        state.nscount = 1;
    }
    if (options->timeout_seconds > 0) {
        state.retrans = options->timeout_seconds;
    }
    if (options->attempts > 0) {
        state.retry = options->attempts;
    }
    /* Ask the servers in the configured order. */
    state.options &= ~(unsigned long)RES_ROTATE;
    int length = res_nquery(&state, name, ns_c_in, type, answer, answer_capacity);
    if (length < 0) {
        *h_error = state.res_h_errno != 0 ? state.res_h_errno : TRY_AGAIN;
    } else if (length > answer_capacity) {
        /* The answer was truncated to fit: treat as a failure to get one. */
        *h_error = TRY_AGAIN;
        length = -1;
    }
    res_nclose(&state);
    return length;
}

int tern_resolv_answer_count(const unsigned char *message, int length) {
    ns_msg handle;
    if (ns_initparse(message, length, &handle) != 0) {
        return -1;
    }
    return ns_msg_count(handle, ns_s_an);
}

int tern_resolv_answer_record(const unsigned char *message, int length, int index,
                              tern_resolv_record *record) {
    ns_msg handle;
    ns_rr rr;
    memset(record, 0, sizeof *record);
    if (ns_initparse(message, length, &handle) != 0 || ns_parserr(&handle, ns_s_an, index, &rr) != 0) {
        return -1;
    }
    record->type = ns_rr_type(rr);
    const unsigned char *rdata = ns_rr_rdata(rr);
    int rdlength = ns_rr_rdlen(rr);
    switch (record->type) {
    case TERN_RESOLV_TYPE_A:
        if (rdlength != 4 || inet_ntop(AF_INET, rdata, record->address, sizeof record->address) == NULL) {
            return -1;
        }
        return 0;
    case TERN_RESOLV_TYPE_AAAA:
        if (rdlength != 16 || inet_ntop(AF_INET6, rdata, record->address, sizeof record->address) == NULL) {
            return -1;
        }
        return 0;
    case TERN_RESOLV_TYPE_MX: {
        if (rdlength < 3) {
            return -1;
        }
        record->preference = ns_get16(rdata);
        int used = dn_expand(ns_msg_base(handle), ns_msg_end(handle), rdata + NS_INT16SZ,
                             record->exchange, (int)sizeof record->exchange);
        if (used < 0 || used != rdlength - NS_INT16SZ) {
            return -1;
        }
        /* dn_expand writes the root name as "."; report it as "". */
        if (strcmp(record->exchange, ".") == 0) {
            record->exchange[0] = '\0';
        }
        return 0;
    }
    default:
        return 0;
    }
}
