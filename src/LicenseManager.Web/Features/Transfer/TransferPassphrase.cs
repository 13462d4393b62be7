using System.Security.Cryptography;
using System.Text;

namespace LicenseManager.Web.Features.Transfer;

/// <summary>
/// Protects the token signing keys inside an export. On the source they are encrypted with its Data Protection key
/// ring, which the target can't read; in the file they are encrypted with a key derived from a passphrase the
/// administrator chooses (PBKDF2-SHA256, a random salt per export, AES-256-GCM), and the import re-protects them with
/// the target's Data Protection.
/// </summary>
public sealed class TransferPassphrase
{
    public const string Algorithm = "PBKDF2-SHA256/AES-256-GCM";
    public const int Iterations = 600_000;
    public const int MinimumLength = 12;
    private const int NonceSize = 12, TagSize = 16;

    private readonly byte[] _key;
    public PassphraseKdf Kdf { get; }

    private TransferPassphrase(string passphrase, PassphraseKdf kdf)
    {
        Kdf = kdf;
        _key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(passphrase), Convert.FromBase64String(kdf.Salt), kdf.Iterations, HashAlgorithmName.SHA256, 32);
    }

    /// <summary>Why a passphrase can't protect an export, or null when it can.</summary>
    public static string? Problem(string? passphrase) => string.IsNullOrEmpty(passphrase)
        ? "A passphrase is required: it encrypts the token signing keys in the file, and the import asks for it."
        : passphrase.Length < MinimumLength ? $"Use a passphrase of at least {MinimumLength} characters." : null;

    public static TransferPassphrase ForExport(string passphrase) =>
        new(passphrase, new PassphraseKdf(Algorithm, Iterations, Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))));

    /// <summary>For an import: the header's parameters, within sane bounds (a hostile file can't make us spin forever).</summary>
    public static TransferPassphrase? ForImport(string passphrase, PassphraseKdf kdf) =>
        kdf.Algorithm == Algorithm && kdf.Iterations is >= 100_000 and <= 10_000_000 && IsBase64(kdf.Salt) ? new(passphrase, kdf) : null;

    /// <summary>nonce | ciphertext | tag, base64. The key id is authenticated with it, so a key can't be swapped for another.</summary>
    public string Encrypt(string keyId, byte[] privateKey)
    {
        var output = new byte[NonceSize + privateKey.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, privateKey, output.AsSpan(NonceSize, privateKey.Length), output.AsSpan(NonceSize + privateKey.Length), Encoding.UTF8.GetBytes(keyId));
        return Convert.ToBase64String(output);
    }

    /// <summary>The private key, or null when the passphrase is wrong or the text was altered.</summary>
    public byte[]? Decrypt(string keyId, string encrypted)
    {
        if (!IsBase64(encrypted)) return null;
        var input = Convert.FromBase64String(encrypted);
        if (input.Length <= NonceSize + TagSize) return null;
        var plain = new byte[input.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize, plain.Length), input.AsSpan(NonceSize + plain.Length), plain, Encoding.UTF8.GetBytes(keyId));
            return plain;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static bool IsBase64(string text) => Convert.TryFromBase64String(text, new byte[text.Length], out _);
}
