using System.Security.Claims;
using LicenseManager.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LicenseManager.Web.Features.Transfer;

public sealed class TransferPage
{
    public TransferReport? Imported { get; init; }
}

/// <summary>Move the LMA: export the whole state of this instance, and import it into a fresh one.</summary>
[Authorize(Policy = Policies.Administer)]
[Route("admin/transfer")]
public sealed class TransferController(LmaExporter exporter, LmaImporter importer, TimeProvider time, ILogger<TransferController> log) : Controller
{
    public const long MaxUploadBytes = 2L * 1024 * 1024 * 1024;

    [HttpGet("")]
    public IActionResult Index() => Page(new TransferPage());

    [HttpPost("export")]
    [ValidateAntiForgeryToken]
    public async Task<IActionResult> Export(string? passphrase, CancellationToken ct)
    {
        if (TransferPassphrase.Problem(passphrase) is { } problem)
        {
            ModelState.AddModelError("passphrase", problem);
            return Page(new TransferPage(), StatusCodes.Status422UnprocessableEntity);
        }
        var now = time.GetUtcNow().UtcDateTime;
        Response.ContentType = "application/x-ndjson";
        Response.Headers.ContentDisposition = $"attachment; filename=\"licensemanager-{now:yyyyMMdd-HHmm}.lma.jsonl\"";
        await exporter.ExportAsync(Response.Body, passphrase!, ct);
        return new EmptyResult();
    }

    [HttpPost("import")]
    [ValidateAntiForgeryToken]
    [RequestSizeLimit(MaxUploadBytes)]
    [RequestFormLimits(MultipartBodyLengthLimit = MaxUploadBytes)]
    public async Task<IActionResult> Import(IFormFile? file, string? importPassphrase, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
        {
            ModelState.AddModelError("file", "Choose an export file (.lma.jsonl) to import.");
            return Page(new TransferPage(), StatusCodes.Status422UnprocessableEntity);
        }
        // The file is read twice (checked whole, then written): a temporary copy, removed whatever happens.
        var copy = Path.Combine(Path.GetTempPath(), $"lma-import-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using (var target = PrivateFile.Create(copy))
                await file.CopyToAsync(target, ct);
            var (report, error) = await importer.ImportAsync(copy, importPassphrase, User.FindFirstValue(ClaimTypes.NameIdentifier)!, ct);
            if (error is not null)
            {
                ModelState.AddModelError("file", error);
                return Page(new TransferPage(), StatusCodes.Status422UnprocessableEntity);
            }
            log.LogInformation("Imported an LMA export: {Counts}", report!.CountsLine());
            return Page(new TransferPage { Imported = report });
        }
        finally
        {
            try { System.IO.File.Delete(copy); }
            catch (IOException ex) { log.LogWarning(ex, "Could not delete the import's temporary copy {Path}", copy); }
        }
    }

    private ViewResult Page(TransferPage model, int status = StatusCodes.Status200OK)
    {
        ViewData["Title"] = "Move the LMA";
        ViewData["Section"] = "Admin";
        Response.StatusCode = status;
        return View("Transfer", model);
    }
}
