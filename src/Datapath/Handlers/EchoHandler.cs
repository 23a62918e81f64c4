using FastSmb.Datapath.Dispatch;
using FastSmb.Protocol;
using FastSmb.Protocol.Smb2.Commands;

namespace FastSmb.Datapath.Handlers;

/// <summary>[MS-SMB2] 3.3.5.14 Receiving an SMB2 ECHO Request: answer with an empty ECHO response.</summary>
public static class EchoHandler
{
    public static NtStatus Handle(ref Smb2Request request, ResponseBuffer response)
    {
        response.Advance(EchoResponse.Write(response.GetBodySpan(4)));
        return NtStatus.Success;
    }
}
