namespace FastSmb.Datapath.Connections;

public sealed partial class ConnectionOwner
{
    /// <summary>Queues <paramref name="work"/> to run under the gate (after the request in progress, if any); a
    /// connection that goes away meanwhile drops it.</summary>
    private void Post(Action<Smb2Connection> work, CancellationToken stopping)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await RunAsOwnerAsync(c =>
                {
                    if (c.PostToOwner is not null) work(c);
                }, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
            catch (Exception e)
            {
                log.ConnectionFailed(_connection.ClientAddress, e);
            }
        });
    }
}
