namespace FastSmb.Control.Admin;

public sealed partial class AdminService
{
    /// <summary>
    /// <see cref="Execute"/>, with `status` answered asynchronously and outside the service's lock: it only reads, and
    /// waits for the connections' owners (SessionRegistry.SnapshotAsync), which must not hold up a `user add`.
    /// </summary>
    public async Task<AdminResponse> ExecuteAsync(AdminRequest request, CancellationToken cancellationToken)
    {
        if (request.Command != AdminCommands.Status) return Execute(request);
        if (status is null) return AdminResponse.Failure("status needs a running server (`fastsmb serve`)");
        var snapshot = await status(cancellationToken).ConfigureAwait(false);
        return new AdminResponse(true, "") { Status = snapshot };
    }
}
