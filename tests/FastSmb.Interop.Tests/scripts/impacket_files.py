#!/usr/bin/python3
"""Upload, list, download, rename and delete a file on an SMB share with impacket.

Usage: impacket_files.py HOST PORT USER SHARE LOCAL_IN LOCAL_OUT [--dialect D] [--timeout S]
  The password comes from env SMB_PASSWORD (not argv, which `ps` shows).
  Puts LOCAL_IN as "impacket-put.bin" (putFile), lists the share root (listPath), gets the file back into
  LOCAL_OUT (getFile), renames it to "impacket-renamed.bin" (rename), lists again, deletes it (deleteFile)
  and lists a last time. Comparing LOCAL_IN with LOCAL_OUT is the caller's job.

Prints, one per line:
  dialect 0xNNNN          the negotiated dialect
  list N NAME SIZE        each entry of listing N (1 after put, 2 after rename, 3 after delete)
  ok STEP                 each step that succeeded (put, get, rename, delete)
On failure prints "error STEP STATUS_NAME: message" and exits 1; 2 on usage.
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
    parser.add_argument("share")
    parser.add_argument("local_in")
    parser.add_argument("local_out")
    add_connection_args(parser)
    args = parser.parse_args()
    password = password_from_env()
    if password is None:
        return 2

    loaded = load_impacket()
    if loaded is None:
        return 1
    SMBConnection, SessionError, dialects = loaded

    def listing(n):
        for f in conn.listPath(args.share, "*"):
            print("list %d %s %d" % (n, f.get_longname(), f.get_filesize()))

    conn = None
    step = "connect"
    try:
        conn = connect(SMBConnection, dialects, args)
        step = "login"
        conn.login(args.user, password, domain="")
        step = "put"
        with open(args.local_in, "rb") as f:
            conn.putFile(args.share, "impacket-put.bin", f.read)
        print("ok put")
        step = "list"
        listing(1)
        step = "get"
        with open(args.local_out, "wb") as f:
            conn.getFile(args.share, "impacket-put.bin", f.write)
        print("ok get")
        step = "rename"
        conn.rename(args.share, "impacket-put.bin", "impacket-renamed.bin")
        print("ok rename")
        listing(2)
        step = "delete"
        conn.deleteFile(args.share, "impacket-renamed.bin")
        print("ok delete")
        listing(3)
        conn.logoff()
    except SessionError as e:
        print("error %s %s: %s" % (step, status_name(e.getErrorCode()), e))
        return 1
    except Exception as e:  # socket errors, protocol errors: report any failure with its type
        print("error %s %s: %s" % (step, type(e).__name__, e))
        return 1
    finally:
        close_quietly(conn)
    return 0


if __name__ == "__main__":
    sys.exit(main())
