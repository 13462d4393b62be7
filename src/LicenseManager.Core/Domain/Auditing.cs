namespace LicenseManager.Core.Domain;

/// <summary>Created By / Last Modified By with timestamps. Written by the DbContext on save, never by hand.</summary>
public interface IAudited
{
    DateTime CreatedAt { get; set; }
    string CreatedBy { get; set; }
    DateTime LastModifiedAt { get; set; }
    string LastModifiedBy { get; set; }
}

/// <summary>An app-managed concurrency token: incremented on every update, compared on save. Portable across providers.</summary>
public interface IVersioned
{
    int Version { get; set; }
}

public abstract class AuditedEntity : IAudited
{
    public long Id { get; set; }
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTime LastModifiedAt { get; set; }
    public string LastModifiedBy { get; set; } = "";
}

/// <summary>Who is acting: a signed-in user, an API key, or the LMA itself (jobs, the install processor).</summary>
public sealed record Actor(string Name, string? UserId = null)
{
    /// <summary>The guide's owner of every automatically created record.</summary>
    public const string LmaName = "License Management App";
    public static readonly Actor System = new(LmaName);
}

public interface IActorAccessor
{
    Actor Current { get; }
}

public sealed class SystemActorAccessor : IActorAccessor
{
    public Actor Current => Actor.System;
}
