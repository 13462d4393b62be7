using FluentValidation.Results;
using LicenseManager.Core.Domain;

namespace LicenseManager.Web.Infrastructure.Results;

/// <summary>What happened to a command: done, refused by rules (each tied to a field, with a stable code), not found, or a conflict.</summary>
public enum CommandStatus
{
    Succeeded,
    Invalid,
    NotFound,
    Conflict,
}

/// <summary>
/// The one answer every handler gives, whoever asked. The page shows it in ModelState (<see cref="CommandResultModelState"/>),
/// the API as ProblemDetails (<see cref="CommandResultProblems"/>); both mappings are written once, so the page and the
/// API say the same thing with the same codes. Handlers report not-found themselves: callers don't pre-check.
/// </summary>
public class CommandResult
{
    protected CommandResult(CommandStatus status, IReadOnlyList<RuleViolation> violations)
    {
        Status = status;
        Violations = violations;
    }

    public CommandStatus Status { get; }
    /// <summary>The reasons (one for not-found and conflict, under the field "" = the whole form).</summary>
    public IReadOnlyList<RuleViolation> Violations { get; }
    public bool Succeeded => Status == CommandStatus.Succeeded;
    /// <summary>The stable code of a refusal: the one violation's, or validation_failed for several.</summary>
    public string? Code => Violations.Count switch { 0 => null, 1 => Violations[0].Code, _ => CommandResultProblems.ValidationFailed };

    public static readonly CommandResult Ok = new(CommandStatus.Succeeded, []);
    public static CommandResult Invalid(IReadOnlyList<RuleViolation> violations) => new(CommandStatus.Invalid, Checked(violations));
    public static CommandResult Invalid(string field, string code, string message) => Invalid([new RuleViolation(field, code, message)]);
    public static CommandResult NotFound(string code, string message) => new(CommandStatus.NotFound, [new RuleViolation("", code, message)]);
    public static CommandResult Conflict(string code, string message) => new(CommandStatus.Conflict, [new RuleViolation("", code, message)]);

    /// <summary>
    /// A validator's failures as rule violations: its error code when the rule names one, else invalid_&lt;property&gt;;
    /// a collection item's failure (Roles[2]) shows at the collection's field.
    /// </summary>
    public static IReadOnlyList<RuleViolation> From(ValidationResult validation) =>
        [.. validation.Errors.Select(e => new RuleViolation(e.PropertyName.Split('[')[0],
            string.IsNullOrEmpty(e.ErrorCode) || e.ErrorCode.EndsWith("Validator", StringComparison.Ordinal) ? "invalid_" + e.PropertyName.ToLowerInvariant() : e.ErrorCode,
            e.ErrorMessage))];

    protected static IReadOnlyList<RuleViolation> Checked(IReadOnlyList<RuleViolation> violations) =>
        violations.Count > 0 ? violations : throw new ArgumentException("A refusal needs at least one reason.", nameof(violations));
}

/// <summary>
/// A command's answer with its value: the saved record on success; on a conflict, the record as it is now (the page
/// shows the current values, the API sends the current ETag); absent otherwise.
/// </summary>
public sealed class CommandResult<T> : CommandResult
{
    private CommandResult(CommandStatus status, IReadOnlyList<RuleViolation> violations, T? value, IReadOnlyList<string> warnings)
        : base(status, violations)
    {
        Value = value;
        Warnings = warnings;
    }

    public T? Value { get; }
    /// <summary>Saved, but worth knowing (e.g. seats below the used licenses).</summary>
    public IReadOnlyList<string> Warnings { get; }

    public static CommandResult<T> Success(T value, IReadOnlyList<string>? warnings = null) => new(CommandStatus.Succeeded, [], value, warnings ?? []);
    public static new CommandResult<T> Invalid(IReadOnlyList<RuleViolation> violations) => new(CommandStatus.Invalid, Checked(violations), default, []);
    public static new CommandResult<T> Invalid(string field, string code, string message) => Invalid([new RuleViolation(field, code, message)]);
    public static new CommandResult<T> NotFound(string code, string message) => new(CommandStatus.NotFound, [new RuleViolation("", code, message)], default, []);
    public static CommandResult<T> Conflict(string code, string message, T? current) => new(CommandStatus.Conflict, [new RuleViolation("", code, message)], current, []);
}
