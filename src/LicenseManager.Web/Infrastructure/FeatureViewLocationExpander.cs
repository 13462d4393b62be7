using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Razor;

namespace LicenseManager.Web.Infrastructure;

/// <summary>
/// Views live beside their controller, in the controller's feature folder: a controller in namespace
/// LicenseManager.Web.Features.Admin renders /Features/Admin/{View}.cshtml. Shared views stay in Views/Shared.
/// </summary>
public sealed class FeatureViewLocationExpander : IViewLocationExpander
{
    private const string Key = "feature";

    public void PopulateValues(ViewLocationExpanderContext context)
    {
        if (context.ActionContext.ActionDescriptor is ControllerActionDescriptor action && action.ControllerTypeInfo.Namespace is { } ns)
        {
            var marker = ns.IndexOf(".Features.", StringComparison.Ordinal);
            if (marker >= 0) context.Values[Key] = ns[(marker + ".Features.".Length)..].Split('.')[0];
        }
    }

    public IEnumerable<string> ExpandViewLocations(ViewLocationExpanderContext context, IEnumerable<string> viewLocations)
    {
        var feature = context.Values.TryGetValue(Key, out var f) && f is not null ? f : "{1}";
        return new[] { $"/Features/{feature}/{{0}}.cshtml" }.Concat(viewLocations);
    }
}
