using System.Runtime.CompilerServices;

// The tests fix the server challenge to replay a captured smbclient exchange.
[assembly: InternalsVisibleTo("FastSmb.Server.Tests")]
