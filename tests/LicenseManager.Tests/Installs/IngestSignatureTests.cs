using System.Text;
using LicenseManager.Web.Features.Installs;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LicenseManager.Tests.Installs;

public class IngestSignatureTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"eventId\":\"e1\"}");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    private IngestSignature Verifier(string? previous = null) =>
        new(Options.Create(new IngestOptions { Secret = "current", PreviousSecret = previous }), _time);

    [Fact]
    public void A_body_signed_with_the_secret_is_valid() =>
        Assert.Equal(IngestSignature.Result.Valid, Verifier().Verify(IngestSignature.Sign("current", _time.GetUtcNow(), Body), Body));

    [Fact]
    public void The_previous_secret_is_accepted_during_rotation_only_when_configured()
    {
        var header = IngestSignature.Sign("old", _time.GetUtcNow(), Body);
        Assert.Equal(IngestSignature.Result.Valid, Verifier(previous: "old").Verify(header, Body));
        Assert.Equal(IngestSignature.Result.Mismatch, Verifier().Verify(header, Body));
    }

    [Fact]
    public void A_changed_body_does_not_match()
    {
        var header = IngestSignature.Sign("current", _time.GetUtcNow(), Body);
        Assert.Equal(IngestSignature.Result.Mismatch, Verifier().Verify(header, Encoding.UTF8.GetBytes("{\"eventId\":\"e2\"}")));
    }

    [Theory]
    [InlineData(-301, IngestSignature.Result.Stale)]
    [InlineData(301, IngestSignature.Result.Stale)]
    [InlineData(-299, IngestSignature.Result.Valid)]
    public void Timestamps_more_than_five_minutes_off_are_refused(int offsetSeconds, IngestSignature.Result expected) =>
        Assert.Equal(expected, Verifier().Verify(IngestSignature.Sign("current", _time.GetUtcNow().AddSeconds(offsetSeconds), Body), Body));

    [Theory]
    [InlineData(null, IngestSignature.Result.Missing)]
    [InlineData("", IngestSignature.Result.Missing)]
    [InlineData("v1=abcd", IngestSignature.Result.Malformed)]
    [InlineData("t=123", IngestSignature.Result.Malformed)]
    [InlineData("t=abc,v1=00", IngestSignature.Result.Malformed)]
    [InlineData("t=1,v1=zz", IngestSignature.Result.Malformed)]
    [InlineData("garbage", IngestSignature.Result.Malformed)]
    public void Missing_or_malformed_headers_are_refused(string? header, IngestSignature.Result expected) =>
        Assert.Equal(expected, Verifier().Verify(header, Body));
}
