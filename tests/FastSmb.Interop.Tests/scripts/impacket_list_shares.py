#!/usr/bin/python3
"""Log on to an SMB server with impacket and list its shares.

Usage: impacket_list_shares.py HOST PORT USER [--dialect D] [--timeout S]
  The password comes from env SMB_PASSWORD (not argv, which `ps` shows).
  --dialect auto (default: impacket's multi-protocol negotiate, an SMB1
  NEGOTIATE offering "SMB 2.002" and "SMB 2.???"), or 2.0.2, 2.1, 3.0 (an
  SMB2 NEGOTIATE offering only that dialect). Debian 12's impacket 0.10 has no
  3.0.2 ("Unknown dialect") and its 3.1.1 session setup fails against Samba
  4.17 too (STATUS_ACCESS_DENIED), so those are not offered here.

Prints, one per line:
  dialect 0xNNNN      the negotiated dialect
  share NAME          each share of NetrShareEnum (srvsvc over IPC$)
On failure prints "error STATUS_NAME: message" (the NTSTATUS when impacket
reports one, else "error EXCEPTION_TYPE: message") and exits 1; 2 on usage.
Run it with /usr/bin/python3, whose impacket is Debian's python3-impacket.
"""
import argparse
import sys

from impacket_common import add_connection_args, close_quietly, connect, load_impacket, password_from_env, status_name


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("user")
    add_connection_args(parser)
    args = parser.parse_args()
    password = password_from_env()
    if password is None:
        return 2

    loaded = load_impacket()
    if loaded is None:
        return 1
    SMBConnection, SessionError, dialects = loaded

    conn = None
    try:
        conn = connect(SMBConnection, dialects, args)
        conn.login(args.user, password, domain="")
        for share in conn.listShares():
            print("share %s" % share["shi1_netname"][:-1])   # NDR string with its terminating NUL
        conn.logoff()
    except SessionError as e:
        print("error %s: %s" % (status_name(e.getErrorCode()), e))
        return 1
    except Exception as e:  # socket errors, protocol errors: report any failure with its type
        print("error %s: %s" % (type(e).__name__, e))
        return 1
    finally:
        close_quietly(conn)
    return 0


if __name__ == "__main__":
    sys.exit(main())
