
namespace LicenseManager.Web.Infrastructure.Api;

/// <summary>A response header an API action sends with these statuses.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ResponseHeaderAttribute(string name, params int[] statuses) : Attribute
{
    public string Name { get; } = name;
    public IReadOnlyList<int> Statuses { get; } = statuses;
    /// <summary>Always sent with these statuses (a generated client may rely on it).</summary>
    public bool Required { get; init; } = true;
}
