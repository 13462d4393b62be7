
namespace LicenseManager.Web.Infrastructure.Api;

/// <summary>A request header an API action reads itself; documented as a header parameter.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class RequestHeaderAttribute(string name) : Attribute
{
    public string Name { get; } = name;
    public bool Required { get; init; }
}
