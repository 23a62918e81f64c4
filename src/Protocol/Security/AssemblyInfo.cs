using System.Runtime.CompilerServices;

// Tests fix the random inputs of NTLM (server challenge, client challenge, session key, time) to replay
// captured exchanges and published vectors.
[assembly: InternalsVisibleTo("FastSmb.Protocol.Tests")]
[assembly: InternalsVisibleTo("FastSmb.Server.Tests")]
