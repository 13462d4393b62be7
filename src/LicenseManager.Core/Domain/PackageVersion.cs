namespace LicenseManager.Core.Domain;

/// <summary>A package version: master-detail to its package (deleted with it). Read-only for everyone.</summary>
public class PackageVersion : AuditedEntity
{
    public long PackageKey { get; set; }
    public Package Package { get; set; } = null!;
    /// <summary>Version ID: 18 characters.</summary>
    public string VersionId { get; set; } = "";
    /// <summary>Package Version Name.</summary>
    public string Name { get; set; } = "";
    /// <summary>Version, as uploaded, e.g. "1.4.0".</summary>
    public string VersionNumber { get; set; } = "";
    /// <summary>The version number as a sortable key, so "1.10.0" sorts after "1.9.0".</summary>
    public long VersionSortKey { get; set; }
    public bool Beta { get; set; }
    public DateOnly? ReleaseDate { get; set; }

    /// <summary>Parses "major.minor.patch[.build]" into a sortable key; null when the text is not a version.</summary>
    public static long? SortKeyOf(string versionNumber)
    {
        var parts = versionNumber.Split('.');
        if (parts.Length is < 1 or > 4) return null;
        long key = 0;
        for (var i = 0; i < 4; i++)
        {
            var value = 0;
            if (i < parts.Length && (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) || value > 65535))
                return null;
            key = (key << 16) | (uint)value;
        }
        return key & long.MaxValue;
    }
}
