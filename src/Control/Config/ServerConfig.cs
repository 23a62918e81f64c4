using FastSmb.Protocol.Smb2;

namespace FastSmb.Control.Config;

/// <summary>Samba's "server signing": auto (offer, require only if the client does), mandatory, disabled.</summary>
public enum SigningPolicy { Auto, Mandatory, Disabled }

/// <summary>
/// Samba's "smb encrypt" (globally also "server smb encrypt"): Off (globally: no encryption offered); Default
/// (offered to clients that ask, nothing required); Desired (the server asks capable clients to encrypt, accepts
/// plain text); Required (plain text refused; clients that cannot encrypt are denied).
/// </summary>
public enum EncryptionPolicy { Default, Off, Desired, Required }

/// <summary>The [global] settings FastSmb understands so far; a later issue adds the rest of smb.conf.</summary>
public sealed record GlobalConfig
{
    /// <summary>NetBIOS name (at most 15 characters, upper case) used in NTLM target info and srvsvc.</summary>
    public string NetbiosName { get; init; } = DefaultNetbiosName();
    public string Workgroup { get; init; } = "WORKGROUP";
    public string DnsHostName { get; init; } = Environment.MachineName.ToLowerInvariant();
    public string ServerString { get; init; } = "FastSmb";
    public SigningPolicy ServerSigning { get; init; } = SigningPolicy.Auto;
    public Smb2Dialect MinProtocol { get; init; } = Smb2Dialect.Smb202;
    public Smb2Dialect MaxProtocol { get; init; } = Smb2Dialect.Smb311;
    public EncryptionPolicy ServerEncryption { get; init; } = EncryptionPolicy.Default;
    public Guid ServerGuid { get; init; } = Guid.NewGuid();

    private static string DefaultNetbiosName()
    {
        var name = Environment.MachineName.Split('.')[0].ToUpperInvariant();
        return name.Length > 15 ? name[..15] : name;
    }
}

/// <summary>A share section: name, path, comment, read-only, "smb encrypt".</summary>
public sealed record ShareConfig(string Name, string Path, string Comment = "", bool ReadOnly = false,
    EncryptionPolicy Encrypt = EncryptionPolicy.Default);

/// <summary>The whole configuration. Immutable: a reload builds a new one.</summary>
public sealed record ServerConfig(GlobalConfig Global, IReadOnlyList<ShareConfig> Shares);
