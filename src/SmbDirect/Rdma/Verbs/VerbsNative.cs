using System.Runtime.InteropServices;

namespace FastSmb.SmbDirect.Rdma.Verbs;

/// <summary>
/// P/Invoke declarations of libfastsmb_rdma.so (native/fastsmb_rdma.c, over librdmacm + libibverbs). Every function
/// returns 0 or a count on success and a negative errno on failure; those that can fail for several reasons fill
/// <c>err</c> with words.
/// </summary>
internal static unsafe partial class VerbsNative
{
    public const string Library = "fastsmb_rdma";
    public const int AbiVersion = 1;
    public const int ErrLength = 256;

    [StructLayout(LayoutKind.Sequential)]
    public struct WorkCompletion
    {
        public ulong WorkRequestId;
        public int Opcode;
        public int Status;
        public uint ByteLength;
        public uint InvalidatedRemoteKey;
    }

    [LibraryImport(Library)] public static partial int fsr_abi_version();
    [LibraryImport(Library)] public static partial int fsr_device_count();
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int fsr_listen(string host, int port, out nint listener, byte* err, int len);
    [LibraryImport(Library)] public static partial void fsr_listener_close(nint listener);
    [LibraryImport(Library)]
    public static partial int fsr_get_request(nint listener, int timeoutMs, int maxSend, int maxRecv, out nint conn, byte* err, int len);
    [LibraryImport(Library)] public static partial int fsr_accept(nint conn, int timeoutMs, byte* err, int len);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int fsr_connect(string host, int port, int maxSend, int maxRecv, int timeoutMs, out nint conn, byte* err, int len);
    [LibraryImport(Library)] public static partial int fsr_connect_finish(nint conn, int timeoutMs, byte* err, int len);
    [LibraryImport(Library)] public static partial void fsr_get_caps(nint conn, out int maxSend, out int maxRecv);
    [LibraryImport(Library)] public static partial nint fsr_reg_mr(nint conn, void* addr, nuint length, int access, out uint lkey, out uint rkey);
    [LibraryImport(Library)] public static partial int fsr_dereg_mr(nint mr);
    [LibraryImport(Library)] public static partial int fsr_post_recv(nint conn, ulong wrId, void* addr, uint length, uint lkey);
    [LibraryImport(Library)]
    public static partial int fsr_post(nint conn, int opcode, ulong wrId, void* addr, uint length, uint lkey, ulong remoteAddr, uint rkey, uint invRkey);
    [LibraryImport(Library)] public static partial int fsr_poll(nint conn, WorkCompletion* wc, int n);
    [LibraryImport(Library)] public static partial int fsr_req_notify(nint conn);
    [LibraryImport(Library)] public static partial int fsr_wait_cq_event(nint conn, int timeoutMs);
    [LibraryImport(Library)] public static partial int fsr_check_disconnected(nint conn);
    [LibraryImport(Library)] public static partial void fsr_disconnect(nint conn);
    [LibraryImport(Library)] public static partial void fsr_destroy(nint conn);

    public static string Message(byte* err, int r, string what)
    {
        var text = Marshal.PtrToStringUTF8((nint)err);
        return $"verbs RDMA: {what} failed: " + (string.IsNullOrEmpty(text) ? $"errno {-r}" : text);
    }
}
