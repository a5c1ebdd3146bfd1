#!/usr/bin/python3
"""Seed a fresh Tryton 6.0 database for Settle's Tryton adapter (docs/tryton.md).

Run with Debian's python3 (it sees the python3-trytond packages), after
`trytond-admin -c CONF -d DB --all -u account_invoice account_payment account_statement --activate-dependencies`:

    /usr/bin/python3 server/tryton/seed.py -c CONF -d DB

Creates a USD company, the current fiscal year with monthly periods, the minimal
English chart of accounts with a "Card surcharge income" revenue account (code
4950), the three payment methods the adapter uses with the
account.invoice.pay wizard, two customers, posted customer invoices (one partly
paid) and a posted credit memo (an out invoice with a negative total). Prints the
ids as JSON on stdout. Refuses to run twice on one database.
"""
import argparse
import datetime
import json
import sys
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from proteus import Model, Wizard, config as pconfig


# The next three follow the recipes of the installed modules' tests/tools.py (Tryton 6.0),
# which cannot be imported outside trytond's test runner.
def create_company(party, currency):
    party.save()
    company_config = Wizard('company.company.config')
    company_config.execute('company')
    company = company_config.form
    company.party = party
    company.currency = currency
    company_config.execute('add')
    User = Model.get('res.user')
    pconfig.get_config()._context = User.get_preferences(True, {})
    company, = Model.get('company.company').find()
    return company


def create_fiscalyear(company, today):
    FiscalYear = Model.get('account.fiscalyear')
    Sequence = Model.get('ir.sequence')
    SequenceStrict = Model.get('ir.sequence.strict')
    SequenceType = Model.get('ir.sequence.type')
    fiscalyear = FiscalYear(name=str(today.year), company=company,
        start_date=today + relativedelta(month=1, day=1),
        end_date=today + relativedelta(month=12, day=31))
    move_type, = SequenceType.find([('name', '=', 'Account Move')], limit=1)
    fiscalyear.post_move_sequence = Sequence(name=str(today.year), sequence_type=move_type, company=company)
    fiscalyear.post_move_sequence.save()
    invoice_type, = SequenceType.find([('name', '=', 'Invoice')], limit=1)
    invoice_seq = SequenceStrict(name=str(today.year), sequence_type=invoice_type, company=company,
        prefix='INV-' + str(today.year) + '-')
    invoice_seq.save()
    seq, = fiscalyear.invoice_sequences
    seq.out_invoice_sequence = invoice_seq
    seq.in_invoice_sequence = invoice_seq
    seq.out_credit_note_sequence = invoice_seq
    seq.in_credit_note_sequence = invoice_seq
    fiscalyear.save()
    return fiscalyear


def create_chart(company):
    AccountTemplate = Model.get('account.account.template')
    ModelData = Model.get('ir.model.data')
    Account = Model.get('account.account')
    data, = ModelData.find([('module', '=', 'account'), ('fs_id', '=', 'account_template_root_en')], limit=1)
    wizard = Wizard('account.create_chart')
    wizard.execute('account')
    wizard.form.account_template = AccountTemplate(data.db_id)
    wizard.form.company = company
    wizard.execute('create_account')
    accounts = {}
    for kind in ['receivable', 'payable', 'revenue', 'expense']:
        accounts[kind], = Account.find([('type.%s' % kind, '=', True), ('company', '=', company.id)], limit=1)
    accounts['cash'], = Account.find([('company', '=', company.id), ('name', '=', 'Main Cash')], limit=1)
    # Card surcharges are revenue of their own, beside the sales revenue (SETTLE_TRYTON_SURCHARGE_ACCOUNT).
    revenue = accounts['revenue']
    accounts['surcharge'] = Account(name='Card surcharge income', code='4950', company=company,
        type=revenue.type, parent=revenue.parent)
    accounts['surcharge'].save()
    wizard.form.account_receivable = accounts['receivable']
    wizard.form.account_payable = accounts['payable']
    wizard.execute('create_properties')
    return accounts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    args = parser.parse_args()
    pconfig.set_trytond(database=args.database, config_file=args.config)

    Company = Model.get('company.company')
    if Company.find():
        sys.exit('seed.py: this database already has a company; seed a fresh one')

    Currency = Model.get('currency.currency')
    usd, = Currency.find([('code', '=', 'USD')]) or [None]
    if usd is None:
        usd = Currency(name='U.S. Dollar', code='USD', symbol='$', rounding=Decimal('0.01'), digits=2)
        usd.save()
    Party = Model.get('party.party')
    company = create_company(Party(name='Northwind Supply Co.'), usd)
    today = datetime.date.today()
    fiscalyear = create_fiscalyear(company, today)
    fiscalyear.click('create_period')
    accounts = create_chart(company)

    Journal = Model.get('account.journal')
    PaymentMethod = Model.get('account.invoice.payment.method')
    journal_cash, = Journal.find([('type', '=', 'cash')])
    methods = {}
    for key, name, journal, account in [
            ('cash', 'Settle', journal_cash, accounts['cash']),
            ('credit', 'Settle credit memo', journal_cash, accounts['cash']),
            ('deduction', 'Settle deduction', journal_cash, accounts['expense']),
            ]:
        method = PaymentMethod(name=name, journal=journal, company=company,
            debit_account=account, credit_account=account)
        method.save()
        methods[key] = method.id

    PaymentTerm = Model.get('account.invoice.payment_term')
    term = PaymentTerm(name='Net 30')
    line = term.lines.new(type='remainder')
    line.relativedeltas.new(days=30)
    term.save()

    # The party code is the customer id Settle uses; cus_acme is also the demo page's default customer.
    acme = Party(name='Acme Industrial Supply', code='cus_acme')
    acme.contact_mechanisms.new(type='email', value='ap@acme.example')
    acme.save()
    harbor = Party(name='Harbor Freight Lines', code='cus_harbor')
    harbor.contact_mechanisms.new(type='email', value='billing@harbor.example')
    harbor.save()

    Invoice = Model.get('account.invoice')

    def invoice(party, amount, days_ago, reference, description='Goods'):
        # Overdue invoices are wanted: skip the "payment date in the past" warning.
        with pconfig.get_config().set_context(_skip_warnings=True):
            return _invoice(party, amount, days_ago, reference, description)

    def _invoice(party, amount, days_ago, reference, description):
        inv = Invoice(type='out', party=party, payment_term=term,
            invoice_date=max(today - relativedelta(days=days_ago), fiscalyear.start_date),
            reference=reference, description=description)
        line = inv.lines.new()
        line.account = accounts['revenue']
        line.description = description
        line.quantity = 1 if Decimal(amount) > 0 else -1
        line.unit_price = abs(Decimal(amount))
        inv.click('post')
        return inv

    # Tryton numbers invoices from a strict sequence, so they are posted oldest first.
    specs = [
        ('a1', acme, '1250.00', 28, 'PO-1001', 'Goods'),
        ('partly', acme, '990.00', 26, 'PO-1005', 'Goods'),
        ('a2', acme, '860.40', 25, 'PO-1002', 'Goods'),
        ('h1', harbor, '3200.00', 20, 'HF-77', 'Goods'),
        ('credit', acme, '-150.00', 15, None, 'Returned goods credit memo'),
        ('a3', acme, '2100.00', 10, 'PO-1003', 'Goods'),
        ('h2', harbor, '640.00', 5, 'HF-78', 'Goods'),
        ('a4', acme, '475.25', 3, 'PO-1004', 'Goods'),
    ]
    made = {key: invoice(*rest) for key, *rest in specs}
    acme_invoices = [made[k] for k in ('a1', 'a2', 'a3', 'a4')]
    harbor_invoices = [made['h1'], made['h2']]
    partly = made['partly']
    credit = made['credit']
    pay = Wizard('account.invoice.pay', [partly])
    pay.form.amount = Decimal('200.00')
    pay.form.payment_method = PaymentMethod(methods['cash'])
    pay.form.description = 'Seed: cheque 4411'
    pay.execute('choice')
    pay.form.type = 'partial'
    pay.execute('pay')

    print(json.dumps({
        'company': company.id,
        'customer': acme.code,
        'otherCustomer': harbor.code,
        'invoices': [i.id for i in acme_invoices],
        'partlyPaidInvoice': partly.id,
        'creditMemo': credit.id,
        'otherInvoices': [i.id for i in harbor_invoices],
        'paymentMethods': methods,
        'surchargeAccount': accounts['surcharge'].id,
    }))


if __name__ == '__main__':
    main()
