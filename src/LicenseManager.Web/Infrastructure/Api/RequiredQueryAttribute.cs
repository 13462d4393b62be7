
namespace LicenseManager.Web.Infrastructure.Api;

/// <summary>Query parameters the action reads from Request.Query rather than binding them.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiredQueryAttribute(params string[] names) : Attribute
{
    public IReadOnlyList<string> Names { get; } = names;
}
