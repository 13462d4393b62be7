using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LicenseManager.Web.Features.Transfer;

/// <summary>A file that passed <see cref="TransferFileValidator"/>: what it holds, and the key for its signing keys.</summary>
public sealed record ValidTransferFile(TransferHeader Header, IReadOnlyDictionary<string, long> Counts, IReadOnlyList<string> UserEmails, TransferPassphrase Passphrase);

/// <summary>
/// The first pass of an import: reads the whole file, streamed, before anything is written. Every line must be
/// readable as its kind's record, kinds in the format's order, keys ascending, every user it refers to listed, the
/// signing keys decryptable with the passphrase, and the trailer present with matching counts and checksum.
/// A problem is reported with its line number.
/// </summary>
public static class TransferFileValidator
{
    public static async Task<(ValidTransferFile? File, string? Error)> ValidateAsync(Stream input, string? passphrase, CancellationToken ct)
    {
        using var reader = new StreamReader(input, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false, 64 * 1024, leaveOpen: true);
        string? line;
        try { line = await reader.ReadLineAsync(ct); }
        catch (DecoderFallbackException) { line = null; }
        var header = line is null ? null : TryRead<TransferHeader>(line);
        if (header is null || header.Format != TransferFormat.Format)
            return (null, "Line 1: this is not a LicenseManager transfer file (the first line must be its header).");
        if (header.Version != TransferFormat.Version)
            return (null, $"Line 1: this file has format version {header.Version}; this LicenseManager reads version {TransferFormat.Version}.");
        if (string.IsNullOrEmpty(passphrase))
            return (null, "Enter the passphrase the export was made with: it decrypts the token signing keys in the file.");
        var protection = TransferPassphrase.ForImport(passphrase, header.SigningKeyProtection);
        if (protection is null)
            return (null, "Line 1: the file's signing-key protection (algorithm, iterations or salt) is not one this LicenseManager reads.");

        var counts = TransferFormat.Kinds.ToDictionary(k => k, _ => 0L);
        var users = new List<string>();
        var userSet = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var kindIndex = 0;
        long lastKey = long.MinValue;
        TransferTrailer? trailer = null;
        var number = 1L;
        while (true)
        {
            try { line = await reader.ReadLineAsync(ct); }
            catch (DecoderFallbackException) { return (null, $"Line {number + 1}: the file is not UTF-8 text."); }
            if (line is null) break;
            number++;
            string Fail(string reason) => $"Line {number}: {reason}";
            if (trailer is not null) return (null, Fail("there is more after the trailer line, which must be the last."));

            JsonElement root;
            string? kind;
            try
            {
                using var doc = JsonDocument.Parse(line);
                root = doc.RootElement.Clone();
                kind = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            }
            catch (JsonException ex)
            {
                return (null, Fail($"not a complete JSON record ({ex.Message}). The file may be truncated or damaged."));
            }
            if (kind is null) return (null, Fail("the record has no \"kind\"."));

            if (kind == TransferFormat.TrailerKind)
            {
                trailer = TryRead<TransferTrailer>(line);
                if (trailer is null) return (null, Fail("the trailer can't be read."));
                foreach (var (k, expected) in trailer.Counts)
                    if (!counts.TryGetValue(k, out var actual) || actual != expected)
                        return (null, Fail($"the trailer says {expected} {k} record(s) but the file holds {(counts.TryGetValue(k, out var a) ? a : 0)}. The file is incomplete or edited."));
                if (!string.Equals(trailer.Sha256, Convert.ToHexStringLower(hash.GetHashAndReset()), StringComparison.Ordinal))
                    return (null, Fail("the checksum in the trailer doesn't match the records: the file was altered or damaged."));
                continue;
            }

            if (!TransferFormat.RecordTypes.TryGetValue(kind, out var type)) return (null, Fail($"unknown record kind \"{kind}\"."));
            var index = IndexOf(kind);
            if (index < kindIndex) return (null, Fail($"a {kind} record after the {TransferFormat.Kinds[kindIndex]} records: records are out of order."));
            if (index > kindIndex) (kindIndex, lastKey) = (index, long.MinValue);

            object? record;
            try
            {
                record = root.TryGetProperty("record", out var body) ? body.Deserialize(type, TransferFormat.Json) : null;
            }
            catch (JsonException ex)
            {
                return (null, Fail($"the {kind} record can't be read: {ex.Message}"));
            }
            if (record is null) return (null, Fail($"the {kind} line has no record."));

            if (TransferFormat.HasNumericKey(kind))
            {
                // From the record as read (names match in any case there), never 0 or below: a key of 0 would be
                // taken by the database as "not set" and given a new number, breaking every reference to it.
                if (type.GetProperty("Id")?.GetValue(record) is not long key || key < 1)
                    return (null, Fail($"the {kind} record has no key (a whole number from 1)."));
                if (key <= lastKey) return (null, Fail($"{kind} {key} is not after {lastKey}: records must be in ascending key order, each once."));
                lastKey = key;
            }
            if (record is UserRecord user)
            {
                if (!userSet.Add(user.Email)) return (null, Fail($"user {user.Email} is listed twice."));
                users.Add(user.Email);
            }
            if (ReferencedEmail(record) is { } email && !userSet.Contains(email))
                return (null, Fail($"the {kind} refers to user {email}, who is not in the file's list of users."));
            if (record is ApiKeyRecord apiKey && !IsBase64(apiKey.SecretHash))
                return (null, Fail($"the hash of API key {apiKey.Prefix} is not base64."));
            if (record is SigningKeyRecord signing && protection.Decrypt(signing.KeyId, signing.EncryptedPrivateKey) is null)
                return (null, Fail("the passphrase is not the one this export was made with (the token signing keys can't be decrypted). Nothing was imported."));

            hash.AppendData(Encoding.UTF8.GetBytes(line));
            hash.AppendData("\n"u8);
            counts[kind]++;
        }
        if (trailer is null)
            return (null, $"Line {number}: the file ends without its trailer line: it is incomplete (truncated?). Nothing was imported.");
        return (new ValidTransferFile(header, counts, users, protection), null);
    }

    private static bool IsBase64(string? text) =>
        text is not null && Convert.TryFromBase64String(text, new byte[text.Length], out var written) && written > 0;

    private static int IndexOf(string kind)
    {
        for (var i = 0; i < TransferFormat.Kinds.Count; i++) if (TransferFormat.Kinds[i] == kind) return i;
        return -1;
    }

    private static string? ReferencedEmail(object record) => record switch
    {
        PackageRecord p => p.LeadManagerEmail,
        LeadRecord l => l.OwnerEmail,
        AlertRuleRecipientRecord r => r.UserEmail,
        SavedViewRecord v => v.OwnerEmail,
        _ => null,
    };

    private static T? TryRead<T>(string line) where T : class
    {
        try { return JsonSerializer.Deserialize<T>(line, TransferFormat.Json); }
        catch (JsonException) { return null; }
    }
}
