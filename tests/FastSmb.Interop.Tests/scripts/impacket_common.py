"""What the impacket test scripts share: arguments, the password from the environment, loading Debian's
impacket, and opening a connection that reports the negotiated dialect. Run the scripts with /usr/bin/python3."""
import os
import sys

DIALECTS = ["auto", "2.0.2", "2.1", "3.0"]


def status_name(code):
    from impacket import nt_errors
    entry = nt_errors.ERROR_MESSAGES.get(code)
    return entry[0] if entry else "0x%08x" % code


def add_connection_args(parser):
    parser.add_argument("--dialect", default="auto", choices=DIALECTS)
    parser.add_argument("--timeout", type=int, default=30)


def password_from_env():
    """The password is passed in SMB_PASSWORD, not argv, which `ps` shows. None (after a usage line) if unset."""
    password = os.environ.get("SMB_PASSWORD")
    if password is None:
        print("error usage: set SMB_PASSWORD", file=sys.stderr)
    return password


def load_impacket():
    """(SMBConnection, SessionError, {dialect name: impacket constant}), or None after printing why."""
    try:
        from impacket import smb3structs
        from impacket.smbconnection import SMBConnection, SessionError
    except ImportError as e:
        print("error import ImportError: %s (apt-get install python3-impacket; run with /usr/bin/python3)" % e)
        return None
    dialects = {
        "auto": None,
        "2.0.2": smb3structs.SMB2_DIALECT_002,
        "2.1": smb3structs.SMB2_DIALECT_21,
        "3.0": smb3structs.SMB2_DIALECT_30,
    }
    return SMBConnection, SessionError, dialects


def connect(smb_connection, dialects, args):
    """Connects (negotiates) and prints "dialect 0xNNNN"."""
    conn = smb_connection(args.host, args.host, sess_port=args.port, timeout=args.timeout,
                          preferredDialect=dialects[args.dialect])
    dialect = conn.getDialect()
    print("dialect 0x%04x" % dialect if isinstance(dialect, int) else "dialect %s" % dialect)
    return conn


def close_quietly(conn):
    if conn is not None:
        try:
            conn.close()
        except Exception:
            pass
