using LicenseManager.Core.Domain;
using Microsoft.AspNetCore.Mvc;

namespace LicenseManager.Web.Infrastructure.Api;

/// <summary>Checks of the ids every licensing endpoint takes, answered as 400 ProblemDetails with field errors, never a 500.</summary>
public static class ApiInput
{
    public const int UserIdMaxLength = Core.Domain.Ids.SubscriberUserIdMaxLength;

    public static ObjectResult? Ids(string? packageId, string? orgId, string? userId = null, bool userRequired = false)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Core.Domain.Ids.IsPackageId(packageId)) errors["packageId"] = ["Give the 18-character package ID (letters and digits)."];
        if (!Core.Domain.Ids.IsOrgId(orgId)) errors["orgId"] = ["Give the 15-character subscriber org ID (letters and digits)."];
        if ((userId is not null || userRequired) && !Core.Domain.Ids.IsSubscriberUserId(userId))
            errors["userId"] = [$"Give the subscriber user's id: 1 to {UserIdMaxLength} letters, digits, '-', '_', '.' or '@'."];
        return errors.Count == 0 ? null : ApiProblem.Result(400, "validation_failed", "The request has invalid values.", null, errors);
    }

    public static bool IsId(string? value, int length) => Core.Domain.Ids.IsPlatformId(value, length);

    public static ObjectResult PackageNotAllowed(string packageId) =>
        ApiProblem.Result(403, "package_not_allowed", "This API key may not use this package.", $"The key is limited to other packages than {packageId}.");

    public static ObjectResult LicenseNotFound(string packageId, string orgId) =>
        ApiProblem.Result(404, "license_not_found", "No license found.", $"There is no license of package {packageId} for org {orgId}.");

}
