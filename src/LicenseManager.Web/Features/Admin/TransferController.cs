using LicenseManager.Web.Features.Installs;
using LicenseManager.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LicenseManager.Web.Features.Admin;

/// <summary>Export everything needed to rebuild the LMA elsewhere, and import it into a fresh instance.</summary>
[Authorize(Policy = Policies.Administer)]
[Route("admin/transfer")]
public sealed class TransferController(LmaTransfer transfer, TimeProvider time) : Controller
{
    public const long MaxUploadBytes = 2L * 1024 * 1024 * 1024;

    [HttpGet("")]
    public IActionResult Index()
    {
        ViewData["Title"] = "Move the LMA";
        ViewData["Section"] = "Admin";
        return View("Transfer");
    }

    [HttpGet("export")]
    public async Task Export(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        Response.ContentType = "application/x-ndjson";
        Response.Headers.ContentDisposition = $"attachment; filename=\"licensemanager-{now:yyyyMMdd-HHmm}.lma.jsonl\"";
        await transfer.ExportAsync(Response.Body, now, ct);
    }

    [HttpPost("import")]
    [RequestSizeLimit(MaxUploadBytes)]
    [RequestFormLimits(MultipartBodyLengthLimit = MaxUploadBytes)]
    public async Task<IActionResult> Import(IFormFile? file, CancellationToken ct)
    {
        ViewData["Title"] = "Move the LMA";
        ViewData["Section"] = "Admin";
        if (file is null || file.Length == 0)
        {
            ModelState.AddModelError("file", "Choose an export file (.lma.jsonl) to import.");
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View("Transfer");
        }
        await using var stream = file.OpenReadStream();
        var (result, error) = await transfer.ImportAsync(stream, ct);
        if (error is not null)
        {
            ModelState.AddModelError("file", error);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return View("Transfer");
        }
        TempData["Flash"] = $"Imported {result!.Packages} package(s) and {result.Events} install event(s). Leads and licenses are being rebuilt from the log.";
        if (result.Notes.Count > 0) TempData["FlashWarning"] = string.Join(" ", result.Notes);
        return Redirect("/packages");
    }
}
