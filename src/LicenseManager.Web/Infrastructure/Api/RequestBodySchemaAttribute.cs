
namespace LicenseManager.Web.Infrastructure.Api;

/// <summary>The action reads its JSON body itself; this component schema describes it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequestBodySchemaAttribute(string schemaId) : Attribute
{
    public string SchemaId { get; } = schemaId;
}
