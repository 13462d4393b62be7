using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LicenseManager.Core.Data;

/// <summary>Stores DateTime as UTC and reads it back as UTC on every provider.</summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
