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
import os
import sys


def status_name(code):
    from impacket import nt_errors
    entry = nt_errors.ERROR_MESSAGES.get(code)
    return entry[0] if entry else "0x%08x" % code


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("user")
    parser.add_argument("share")
    parser.add_argument("local_in")
    parser.add_argument("local_out")
    parser.add_argument("--dialect", default="auto", choices=["auto", "2.0.2", "2.1", "3.0"])
    parser.add_argument("--timeout", type=int, default=30)
    args = parser.parse_args()
    password = os.environ.get("SMB_PASSWORD")
    if password is None:
        print("error usage: set SMB_PASSWORD", file=sys.stderr)
        return 2

    try:
        from impacket import smb3structs
        from impacket.smbconnection import SMBConnection, SessionError
    except ImportError as e:
        print("error import ImportError: %s (apt-get install python3-impacket; run with /usr/bin/python3)" % e)
        return 1

    dialects = {
        "auto": None,
        "2.0.2": smb3structs.SMB2_DIALECT_002,
        "2.1": smb3structs.SMB2_DIALECT_21,
        "3.0": smb3structs.SMB2_DIALECT_30,
    }

    def listing(n):
        for f in conn.listPath(args.share, "*"):
            print("list %d %s %d" % (n, f.get_longname(), f.get_filesize()))

    conn = None
    step = "connect"
    try:
        conn = SMBConnection(args.host, args.host, sess_port=args.port, timeout=args.timeout,
                             preferredDialect=dialects[args.dialect])
        dialect = conn.getDialect()
        print("dialect 0x%04x" % dialect if isinstance(dialect, int) else "dialect %s" % dialect)
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
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
