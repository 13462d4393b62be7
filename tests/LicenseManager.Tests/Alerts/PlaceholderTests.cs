using LicenseManager.Core.Domain;
using LicenseManager.Web.Features.Alerts;
using LicenseManager.Web.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using MimeKit;

namespace LicenseManager.Tests.Alerts;

public class PlaceholderTests
{
    private static readonly License License = new()
    {
        Id = 42, Status = LicenseStatus.Active, Seats = 25, ExpirationDate = new DateOnly(2027, 3, 31), OrgName = "Globex", SubscriberOrgId = "00D000000000001",
        Package = new Package { Name = "Invoicing" }, PackageVersionNumber = "2.1.0",
        Account = new Account { Name = "Globex Corp" }, Contact = new Contact { FirstName = "Hank", LastName = "Scorpio", Email = "hank@globex.example" },
    };

    [Fact]
    public void Placeholders_are_replaced_case_insensitively_with_a_link_to_the_license()
    {
        var context = new AlertContext(License, null, "https://lma.example.com/", new DateOnly(2027, 3, 1));
        var text = Placeholders.Render("{{org.name}} / {{ Package.Name }} {{package.version}} expires {{license.expirationDate}} ({{license.daysToExpiry}} days), " +
                                       "{{license.seats}} seats, {{account.name}}, {{contact.name}} <{{contact.email}}>: {{license.url}}", context);
        Assert.Equal("Globex / Invoicing 2.1.0 expires 2027-03-31 (30 days), 25 seats, Globex Corp, Hank Scorpio <hank@globex.example>: https://lma.example.com/licenses/42", text);
    }

    [Fact]
    public void Unknown_and_unclosed_placeholders_are_reported()
    {
        Assert.Empty(Placeholders.Problems("Hello {{org.name}}, {{LICENSE.URL}}"));
        Assert.Equal("Unknown placeholder {{license.expiry}}. Use one of the placeholders listed below, e.g. {{license.expirationDate}} or {{org.name}}.",
            Assert.Single(Placeholders.Problems("Expires {{license.expiry}}")));
        Assert.Contains("not closed", Assert.Single(Placeholders.Problems("Expires {{license.expirationDate")));
    }

    [Fact]
    public void Retries_back_off_exponentially_up_to_an_hour()
    {
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], Enumerable.Range(1, 8).Select(n => AlertEmailSender.Backoff(n).TotalMinutes));
    }

    [Fact]
    public async Task Without_SMTP_each_message_is_written_once_as_an_eml_file_in_the_data_directory()
    {
        var folder = Path.Combine(Path.GetTempPath(), "lma-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var transport = new PickupFolderMailTransport(Options.Create(new LmaOptions { DataDirectory = folder }), new Environment(folder));
            var mail = new MimeMessage { Subject = "Hello" };
            mail.From.Add(MailboxAddress.Parse("lma@test.local"));
            mail.To.Add(MailboxAddress.Parse("rep@test.local"));
            mail.Body = new TextPart("plain") { Text = "Body" };
            await using (var session = await transport.OpenAsync(default))
            {
                Assert.Equal("file mail/7.eml", await session.SendAsync(mail, 7, default));
                await session.SendAsync(mail, 7, default);
            }
            var file = Assert.Single(Directory.GetFiles(Path.Combine(folder, "mail")));
            Assert.Equal("Hello", (await MimeMessage.LoadAsync(file)).Subject);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";
        public string ApplicationName { get; set; } = "LicenseManager";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
