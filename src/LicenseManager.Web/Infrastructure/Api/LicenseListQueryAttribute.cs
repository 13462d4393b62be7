using LicenseManager.Web.Features.Licenses;

namespace LicenseManager.Web.Infrastructure.Api;

/// <summary>The action reads the licenses list's filters (<see cref="LicenseFilter.From"/>) and sort from the query.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LicenseListQueryAttribute : Attribute;
