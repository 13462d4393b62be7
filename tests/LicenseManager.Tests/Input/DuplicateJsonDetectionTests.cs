using System.Text;
using System.Text.Json;
using LicenseManager.Web.Features.Installs;
using LicenseManager.Web.Infrastructure;

namespace LicenseManager.Tests.Input;

/// <summary>What the framework's own duplicate check covers, and the detector the API relies on.</summary>
public sealed class DuplicateJsonDetectionTests
{
    private const string CaseDuplicate = """{"eventId":"a","EVENTID":"b"}""";

    [Fact]
    public void The_serializer_with_AllowDuplicateProperties_off_refuses_names_differing_only_in_case_when_case_insensitive()
    {
        var options = new JsonSerializerOptions(InstallEventRequest.Json) { AllowDuplicateProperties = false };
        Assert.True(options.PropertyNameCaseInsensitive);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<InstallEventRequest>("""{"eventId":"a","eventId":"b"}""", options));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<InstallEventRequest>(CaseDuplicate, options));
    }

    [Theory]
    [InlineData(CaseDuplicate, "EVENTID")]
    [InlineData("""{"org":{"id":"x","Id":"y"}}""", "org.Id")]
    [InlineData("""{"items":[{"a":1},{"a":1,"A":2}]}""", "items[].A")]
    [InlineData("""{"a":{"b":1},"c":{"b":2}}""", null)]
    [InlineData("""{"a":1""", null)]
    public void The_detector_finds_the_first_name_repeated_in_one_object(string json, string? expected) =>
        Assert.Equal(expected, DuplicateJsonProperties.Find(Encoding.UTF8.GetBytes(json)));
}
