using System.Text.Json;
using FluentValidation;
using LicenseManager.Web.Infrastructure;
using LicenseManager.Web.Infrastructure.Api;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Features.Installs;

/// <summary>POST /api/v1/install-events: the distribution platform tells the LMA about uploads, installs and org changes.</summary>
[ApiController]
[AllowAnonymous] // authenticated by the HMAC signature, not a user
[IgnoreAntiforgeryToken]
[Route("api/v1/install-events")]
[Tags(ApiContract.Tags.InstallEvents)]
public sealed class InstallEventsApiController(
    IngestSignature signature,
    IValidator<InstallEventRequest> validator,
    InstallEventIntake intake,
    IOptions<IngestOptions> options) : ControllerBase
{
    [HttpPost]
    [EndpointName("ingestInstallEvent")]
    [EndpointSummary("Send an install event (signed with X-Lma-Signature)")]
    [RequestHeader(IngestSignature.Header, Required = true)]
    [RequestBodySchema(ApiContract.InstallEventSchema)]
    [ProducesResponseType(typeof(AcceptedEvent), StatusCodes.Status202Accepted)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status400BadRequest)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status401Unauthorized)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status413PayloadTooLarge)]
    [ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status415UnsupportedMediaType)]
    public async Task<IActionResult> Post(CancellationToken ct)
    {
        if (Request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return ApiProblem.Result(415, "unsupported_media_type", "Install events are JSON.", "Send the body with Content-Type: application/json.");

        var body = await ReadBodyAsync(options.Value.MaxBodyBytes, ct);
        if (body is null)
            return ApiProblem.Result(413, "body_too_large", "The request body is too large.", $"Install events are at most {options.Value.MaxBodyBytes:N0} bytes.");

        var verdict = signature.Verify(Request.Headers[IngestSignature.Header], body);
        if (verdict != IngestSignature.Result.Valid)
            return ApiProblem.Result(401, "signature_" + verdict.ToString().ToLowerInvariant(), "The request signature is not valid.", verdict switch
            {
                IngestSignature.Result.Missing => $"The {IngestSignature.Header} header is missing.",
                IngestSignature.Result.Malformed => $"The {IngestSignature.Header} header must look like t=<unix seconds>,v1=<hex HMAC-SHA256>.",
                IngestSignature.Result.Stale => "The signature timestamp is more than 5 minutes away from the server's clock.",
                IngestSignature.Result.NotConfigured => "Ingest is not configured on this server (Lma:Ingest:Secret).",
                _ => "The signature does not match the body.",
            });

        // Names bind without regard to case: "eventId" and "EVENTID" would both be read, the last silently winning.
        if (DuplicateJsonProperties.Find(body) is { } repeated) return DuplicateJsonProperties.Problem(repeated);

        InstallEventRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<InstallEventRequest>(body, InstallEventRequest.Json);
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 0 } ? $" at {e.Path}" : "";
            return ApiProblem.Result(400, "malformed_json", "The body is not a valid install event.", $"The JSON could not be read{where}: {FirstLine(e.Message)}");
        }
        if (request is null)
            return ApiProblem.Result(400, "malformed_json", "The body is not a valid install event.", "The body must be a JSON object.");

        var validation = await validator.ValidateAsync(request, ct);
        if (!validation.IsValid)
            return ApiProblem.Result(400, "validation_failed", "The install event is incomplete or invalid.", null,
                validation.Errors.GroupBy(e => JsonName(e.PropertyName)).ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray()));

        await intake.AppendAsync(request, System.Text.Encoding.UTF8.GetString(body), ct);
        return StatusCode(StatusCodes.Status202Accepted, new AcceptedEvent(request.EventId!, "accepted"));
    }

    public sealed record AcceptedEvent(string EventId, string Status);

    private async Task<byte[]?> ReadBodyAsync(int limit, CancellationToken ct)
    {
        if (Request.ContentLength > limit) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    private static string JsonName(string property) =>
        string.Join('.', property.Split('.').Select(p => p.Length > 0 ? char.ToLowerInvariant(p[0]) + p[1..] : p));
}
