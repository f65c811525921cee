using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Referral.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Composite : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Group",
                table: "uri_index",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Group",
                table: "token_index",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Group",
                table: "string_index",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Group",
                table: "reference_index",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Group",
                table: "quantity_index",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Group",
                table: "number_index",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "Group",
                table: "date_index",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Group",
                table: "uri_index");

            migrationBuilder.DropColumn(
                name: "Group",
                table: "token_index");

            migrationBuilder.DropColumn(
                name: "Group",
                table: "string_index");

            migrationBuilder.DropColumn(
                name: "Group",
                table: "reference_index");

            migrationBuilder.DropColumn(
                name: "Group",
                table: "quantity_index");

            migrationBuilder.DropColumn(
                name: "Group",
                table: "number_index");

            migrationBuilder.DropColumn(
                name: "Group",
                table: "date_index");
        }
    }
}
