#ifndef TERN_CRESOLV_H
#define TERN_CRESOLV_H

/*
 * A thin wrapper over glibc's stub resolver (libresolv) for Tern's MX
 * lookups: one query with a private resolver state per call, and the
 * records of an answer section read with ns_initparse/ns_parserr/dn_expand.
 * Every function here is reentrant and blocks only in tern_resolv_query.
 */

#include <stddef.h>

/* The query types Tern asks for (RFC 1035 §3.2.2, RFC 3596 §2.1). */
enum {
    TERN_RESOLV_TYPE_A = 1,
    TERN_RESOLV_TYPE_MX = 15,
    TERN_RESOLV_TYPE_AAAA = 28,
};

/* The longest domain name dn_expand writes, with its terminating NUL. */
#define TERN_RESOLV_NAME_CAPACITY 1025

/* The longest IPv6 address in text form, with its terminating NUL (INET6_ADDRSTRLEN). */
#define TERN_RESOLV_ADDRESS_CAPACITY 46

/* How one query is sent. */
typedef struct tern_resolv_options {
    /* An IPv4 address in dotted-quad form to ask instead of the servers in
       /etc/resolv.conf, or NULL. */
    const char *nameserver;
    /* The UDP/TCP port of `nameserver` (ignored when it is NULL). */
    int port;
    /* Seconds to wait for each attempt (res_state.retrans); 0 keeps the default. */
    int timeout_seconds;
    /* Attempts per server (res_state.retry); 0 keeps the default. */
    int attempts;
} tern_resolv_options;

/*
 * Sends one query for `name` (absolute, no search list) of class IN and
 * `type`, and writes the raw answer into `answer`.
 *
 * Returns the answer's length, or -1 when there is no usable answer; then
 * `*h_error` holds the resolver's h_errno for this query: HOST_NOT_FOUND
 * (NXDOMAIN), NO_DATA (the name exists without records of this type),
 * TRY_AGAIN (SERVFAIL, time-out, no server reachable), NO_RECOVERY
 * (FORMERR, NOTIMP, REFUSED) or NETDB_INTERNAL (bad arguments, see errno).
 * On success `*h_error` is 0.
 */
int tern_resolv_query(const char *name, int type, const tern_resolv_options *options,
                      unsigned char *answer, int answer_capacity, int *h_error);

/* The number of records in the answer section, or -1 when the message is malformed. */
int tern_resolv_answer_count(const unsigned char *message, int length);

/* One record of an answer section, decoded as far as Tern needs it. */
typedef struct tern_resolv_record {
    /* The record's type (TERN_RESOLV_TYPE_*, or any other). */
    int type;
    /* MX: the preference. */
    int preference;
    /* MX: the exchange, expanded, without a trailing dot ("" for the root, i.e. a null MX). */
    char exchange[TERN_RESOLV_NAME_CAPACITY];
    /* A and AAAA: the address in text form as inet_ntop writes it
       ("192.0.2.1", "2001:db8::1"); "" for other types. */
    char address[TERN_RESOLV_ADDRESS_CAPACITY];
} tern_resolv_record;

/*
 * Decodes record `index` of the answer section into `record`. Returns 0, or
 * -1 when the message or the record's data is malformed (an A record whose
 * data is not 4 octets, an MX whose name does not expand, ...).
 */
int tern_resolv_answer_record(const unsigned char *message, int length, int index,
                              tern_resolv_record *record);

#endif
