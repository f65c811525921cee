using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Referral.Identity.Migrations.AuditTrail.Sqlite
{
    /// <inheritdoc />
    public partial class RequestId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RequestId",
                table: "audit_event",
                type: "TEXT",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RequestId",
                table: "audit_event");
        }
    }
}
