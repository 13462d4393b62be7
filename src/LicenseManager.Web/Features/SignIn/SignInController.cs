using System.ComponentModel.DataAnnotations;
using LicenseManager.Core.Domain;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace LicenseManager.Web.Features.SignIn;

public sealed class SignInController(SignInManager<ApplicationUser> signIn, UserManager<ApplicationUser> users) : Controller
{
    public sealed class LoginInput
    {
        [Required(ErrorMessage = "Enter your email address.")]
        [EmailAddress(ErrorMessage = "Enter a valid email address.")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter your password.")]
        [DataType(DataType.Password)]
        public string Password { get; set; } = "";

        public bool RememberMe { get; set; }
        public string? ReturnUrl { get; set; }
    }

    public sealed class ChangePasswordInput
    {
        [Required(ErrorMessage = "Enter your current password.")]
        [DataType(DataType.Password)]
        public string CurrentPassword { get; set; } = "";

        [Required(ErrorMessage = "Enter a new password.")]
        [DataType(DataType.Password)]
        public string NewPassword { get; set; } = "";

        [Required(ErrorMessage = "Repeat the new password.")]
        [DataType(DataType.Password)]
        [Compare(nameof(NewPassword), ErrorMessage = "The two new passwords don't match.")]
        public string ConfirmPassword { get; set; } = "";
    }

    [AllowAnonymous, HttpGet("sign-in")]
    public IActionResult Login(string? returnUrl)
    {
        ViewData["Title"] = "Log in";
        return View(new LoginInput { ReturnUrl = returnUrl });
    }

    [AllowAnonymous, HttpPost("sign-in"), EnableRateLimiting(SignInRateLimitPolicy.Name)]
    public async Task<IActionResult> Login(LoginInput input, [FromServices] PasswordSignIn passwordSignIn, [FromServices] IOptions<SignInLimitOptions> options, CancellationToken ct)
    {
        ViewData["Title"] = "Log in";
        if (!ModelState.IsValid) return View(input);

        var result = await passwordSignIn.SignInAsync(input.Email, input.Password, input.RememberMe, ClientAddress.Of(HttpContext), ct);
        switch (result.Outcome)
        {
            case PasswordSignIn.Outcome.Deactivated:
                ModelState.AddModelError("", "This user has been deactivated. Ask an administrator to reactivate it.");
                return View(input);
            case PasswordSignIn.Outcome.LockedOut:
                // The same words whether the email belongs to a user or not, and whichever lock applies.
                ModelState.AddModelError("", $"Too many failed attempts: this account is locked for {options.Value.LockoutDuration.TotalMinutes:0} minutes.");
                return View(input);
            case PasswordSignIn.Outcome.Failed:
                ModelState.AddModelError("", "The email or password is not correct.");
                return View(input);
        }
        if (result.User!.MustChangePassword) return Redirect("/change-password");
        return LocalRedirect(Url.IsLocalUrl(input.ReturnUrl) ? input.ReturnUrl! : "/");
    }

    [HttpPost("sign-out")]
    public async Task<IActionResult> Logout()
    {
        await signIn.SignOutAsync();
        return Redirect("/sign-in");
    }

    [HttpGet("change-password")]
    public IActionResult ChangePassword()
    {
        ViewData["Title"] = "Change password";
        return View(new ChangePasswordInput());
    }

    [HttpPost("change-password")]
    public async Task<IActionResult> ChangePassword(ChangePasswordInput input)
    {
        ViewData["Title"] = "Change password";
        if (!ModelState.IsValid) return View(input);
        var user = await users.GetUserAsync(User);
        if (user is null) return Redirect("/sign-in");
        var result = await users.ChangePasswordAsync(user, input.CurrentPassword, input.NewPassword);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
                ModelState.AddModelError(error.Code == "PasswordMismatch" ? nameof(input.CurrentPassword) : nameof(input.NewPassword), error.Description);
            return View(input);
        }
        user.MustChangePassword = false;
        await users.UpdateAsync(user);
        await signIn.RefreshSignInAsync(user);
        TempData["Flash"] = "Your password has been changed.";
        return Redirect("/");
    }

    [AllowAnonymous, HttpGet("access-denied")]
    public IActionResult AccessDenied()
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        ViewData["Title"] = "Not allowed";
        return View("~/Features/Errors/Forbidden.cshtml");
    }
}
